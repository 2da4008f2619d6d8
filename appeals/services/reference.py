"""The default reference data of the appeals app: deadline policies (DESIGN §5), a two-level category taxonomy
that includes the campaign themes, and routing rules. Loaded by a data migration and editable in the admin;
`reference_load` only adds what is missing, so the admin's edits survive a reload."""

from typing import Any

# code: (name, sign amount, sign clock, resolve amount, resolve clock, extension cap, extension clock)
POLICIES: dict[str, tuple[str, int, str, int, str, int, str]] = {
    "act_now": ("马上就办", 2, "hours", 1, "working_days", 0, "working_days"),
    "urgent": ("紧急（红色风险矛盾纠纷）", 30, "minutes", 24, "hours", 0, "working_days"),
    "inquiry": ("咨询", 1, "working_days", 2, "working_days", 0, "working_days"),
    "request": ("求助/建议", 1, "working_days", 10, "working_days", 5, "working_days"),
    "complaint": ("投诉/举报", 1, "working_days", 15, "working_days", 10, "working_days"),
    "petition": ("信访事项", 15, "calendar_days", 60, "calendar_days", 30, "calendar_days"),
}

# level-1 code: (name, [(level-2 code, name, campaign theme?, default policy or "")])
CATEGORIES: dict[str, tuple[str, list[tuple[str, str, bool, str]]]] = {
    "labour": (
        "劳动和社会保障",
        [
            ("labour.wage_arrears", "拖欠农民工工资", True, "act_now"),
            ("labour.social_insurance", "社会保险", False, ""),
            ("labour.employment", "就业创业", False, ""),
            ("labour.contract", "劳动合同和劳动关系", False, ""),
        ],
    ),
    "land": (
        "土地和自然资源",
        [
            ("land.ownership", "土地权属纠纷", False, ""),
            ("land.boundary", "山林地界纠纷", False, ""),
            ("land.requisition", "征地拆迁补偿", False, ""),
            ("land.homestead", "宅基地", False, ""),
        ],
    ),
    "family": (
        "婚姻家庭",
        [
            ("family.conflict", "家庭矛盾（防范命案）", True, "act_now"),
            ("family.child_marriage", "早婚早育", True, ""),
            ("family.marriage", "婚姻纠纷", False, ""),
            ("family.support", "赡养抚养", False, ""),
        ],
    ),
    "neighbour": (
        "邻里和村组纠纷",
        [
            ("neighbour.dispute", "邻里纠纷", True, ""),
            ("neighbour.water", "用水用路纠纷", False, ""),
        ],
    ),
    "security": (
        "治安和公共安全",
        [
            ("security.fraud", "电信网络诈骗（反诈）", True, ""),
            ("security.gang_tip", "涉黑涉恶线索", True, "complaint"),
            ("security.public_order", "治安问题", False, ""),
            ("security.traffic", "交通安全", False, ""),
        ],
    ),
    "infrastructure": (
        "基础设施",
        [
            ("infrastructure.roads", "道路交通", False, ""),
            ("infrastructure.water", "饮水安全", False, ""),
            ("infrastructure.power", "用电和通信", False, ""),
            ("infrastructure.housing", "住房安全", False, ""),
        ],
    ),
    "education": (
        "教育",
        [
            ("education.fees", "教育收费", False, ""),
            ("education.enrolment", "入学就学", False, ""),
            ("education.safety", "校园安全", False, ""),
        ],
    ),
    "health": (
        "医疗卫生",
        [
            ("health.dispute", "医疗纠纷", False, ""),
            ("health.insurance", "医疗保障", False, ""),
        ],
    ),
    "agriculture": (
        "农业农村",
        [
            ("agriculture.subsidy", "惠农补贴", False, ""),
            ("agriculture.collective", "合作社和集体经济", False, ""),
            ("agriculture.inputs", "农资质量", False, ""),
        ],
    ),
    "environment": (
        "生态环境",
        [
            ("environment.pollution", "环境污染", False, ""),
            ("environment.noise", "噪声扰民", False, ""),
        ],
    ),
    "market": (
        "市场监管",
        [
            ("market.consumer", "消费维权", False, ""),
            ("market.food", "食品安全", False, ""),
        ],
    ),
    "welfare": (
        "民政和社会救助",
        [
            ("welfare.assistance", "低保和临时救助", False, ""),
            ("welfare.elderly", "养老服务", False, ""),
        ],
    ),
    "justice": (
        "涉法涉诉和法律服务",
        [
            ("justice.legal_aid", "法律援助", False, ""),
            ("justice.litigation", "涉法涉诉", False, "petition"),
            ("justice.enforcement", "执行难", False, ""),
        ],
    ),
    "governance": (
        "基层治理和干部作风",
        [
            ("governance.conduct", "干部作风", False, "complaint"),
            ("governance.village_affairs", "村务公开", False, ""),
        ],
    ),
    "suggestion": (
        "意见建议",
        [
            ("suggestion.development", "发展建议", False, ""),
            ("suggestion.public_service", "公共服务建议", False, ""),
        ],
    ),
    "other": (
        "其他",
        [
            ("other.other", "其他", False, ""),
        ],
    ),
}

# (category code, region prefix, lead unit kind, co-unit kinds); prefix "" applies everywhere.
ROUTING: list[tuple[str, str, str, list[str]]] = [
    ("labour.wage_arrears", "", "human_resources", ["justice", "trade_union"]),
    ("labour.social_insurance", "", "human_resources", []),
    ("labour.employment", "", "human_resources", []),
    ("labour.contract", "", "human_resources", ["justice"]),
    ("land.ownership", "", "natural_resources", ["township_government", "justice"]),
    ("land.boundary", "", "township_government", ["natural_resources", "justice"]),
    ("land.requisition", "", "natural_resources", ["housing"]),
    ("land.homestead", "", "natural_resources", ["agriculture"]),
    ("family.conflict", "", "township_government", ["justice", "police"]),
    ("family.child_marriage", "", "civil_affairs", ["education", "health"]),
    ("family.marriage", "", "justice", ["township_government"]),
    ("family.support", "", "justice", ["civil_affairs"]),
    ("neighbour.dispute", "", "township_government", ["justice"]),
    ("neighbour.water", "", "township_government", ["agriculture"]),
    ("security.fraud", "", "police", []),
    ("security.gang_tip", "", "police", ["political_legal"]),
    ("security.public_order", "", "police", []),
    ("security.traffic", "", "police", ["transport"]),
    ("infrastructure.roads", "", "transport", ["township_government"]),
    ("infrastructure.water", "", "housing", ["township_government"]),
    ("infrastructure.power", "", "township_government", []),
    ("infrastructure.housing", "", "housing", []),
    ("education.fees", "", "education", ["market_regulation"]),
    ("education.enrolment", "", "education", []),
    ("education.safety", "", "education", ["police"]),
    ("health.dispute", "", "health", ["justice"]),
    ("health.insurance", "", "health", ["human_resources"]),
    ("agriculture.subsidy", "", "agriculture", ["township_government"]),
    ("agriculture.collective", "", "agriculture", []),
    ("agriculture.inputs", "", "market_regulation", ["agriculture"]),
    ("environment.pollution", "", "ecology", []),
    ("environment.noise", "", "ecology", ["police"]),
    ("market.consumer", "", "market_regulation", []),
    ("market.food", "", "market_regulation", []),
    ("welfare.assistance", "", "civil_affairs", ["township_government"]),
    ("welfare.elderly", "", "civil_affairs", []),
    ("justice.legal_aid", "", "justice", []),
    ("justice.litigation", "", "court", ["procuratorate", "petition"]),
    ("justice.enforcement", "", "court", []),
    ("governance.conduct", "", "petition", []),
    ("governance.village_affairs", "", "township_government", ["civil_affairs"]),
    ("suggestion", "", "petition", []),
    ("other", "", "petition", []),
    # 都匀市's roads in town are the housing bureau's (市政道路), with the transport bureau helping.
    ("infrastructure.roads", "522701", "housing", ["transport"]),
]


def reference_load(*, policy_model: Any, category_model: Any, rule_model: Any) -> int:
    """Add the default policies, categories and routing rules that are missing; returns how many rows it added.

    Takes the models as arguments so that the data migration can pass its historical models.
    """
    added = 0
    policies = {}
    for code, (name, sign, sign_clock, resolve, resolve_clock, cap, cap_clock) in POLICIES.items():
        policy, created = policy_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sign_amount": sign,
                "sign_clock": sign_clock,
                "resolve_amount": resolve,
                "resolve_clock": resolve_clock,
                "extension_cap": cap,
                "extension_clock": cap_clock,
            },
        )
        policies[code] = policy
        added += created
    categories = {}
    for order, (code, (name, children)) in enumerate(CATEGORIES.items()):
        parent, created = category_model.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order * 100}
        )
        categories[code] = parent
        added += created
        for child_order, (child_code, child_name, theme, policy_code) in enumerate(children, start=1):
            child, created = category_model.objects.get_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    "parent": parent,
                    "sort_order": order * 100 + child_order,
                    "is_campaign_theme": theme,
                    "default_policy": policies.get(policy_code),
                },
            )
            categories[child_code] = child
            added += created
    for category_code, prefix, lead, co in ROUTING:
        _, created = rule_model.objects.get_or_create(
            category=categories[category_code],
            region_prefix=prefix,
            defaults={"lead_kind": lead, "co_kinds": co},
        )
        added += created
    return added
