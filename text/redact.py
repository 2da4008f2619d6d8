"""Masking of citizens' personal data in free text: names, phone numbers, ID numbers, house addresses.

Every text that leaves the handling unit (exports, notices, reports, hot issues) goes through `redact`
(DESIGN §2, §10 `redact_text`). The masks follow DESIGN §2: 张** (the surname stays, the given name goes,
whatever its length), 138****5678, 5227**********123X, and for addresses the numbers of the house:
幸福小区*栋*单元***室. The rest of the text, place and unit names included, is returned unchanged.

The rules, decided here and measured on text/tests/data/redaction_set.jsonl (bench/redaction.py):

- A person's full name is masked whoever the person is, an official's included ("局长王建国" → "局长王**"):
  the redactor cannot tell a citizen from a cadre, and a named cadre in a complaint is an accusation
  against a person. A surname with a title or a form of address and no given name (张局长, 李书记, 王大爷,
  老王, 小李, 刘某) names a role or is already masked, and is kept.
- A name always starts with a surname of the list below and is found by a cue before it (反映人, 村民, 我叫…;
  a kinship word: 伯父, 岳父, 外甥…; a noun of a trade or role that is on no list: 钢筋工, 开发商, 店主, 网友),
  a cue after it (之子, 阿姨…), jieba's person tag (nr), or its place at the start of a sentence. A cue counts
  where jieba's words allow it (移民|工程 holds no 民工) and a title after a surname is a form of address
  (易书记管一下). The weaker evidence (a role word, the start of a sentence, a bracket after, a list) needs the
  form of a name as well: a given name of common given-name characters that is no dictionary word. Rare
  surnames whose character is mostly a word or a piece of a place (沙, 路, 边, 班…) need a cue; a word of
  jieba's dictionary that jieba tags nr (张贴, 陈旧, 黎明) needs a cue too, and one of the commonest words
  (关系, 农民) does not begin a name. Place names of the user dictionary and every piece of them (王佑 of
  王佑镇), and words followed by a place or unit suffix (王家寨, 黄丝派出所, 高林仕家小区) are not names. A name
  found once is masked wherever it recurs in the text.
- Mobiles (11 digits from 13–19, spaces or dashes between digits, +86/86 in front) and landlines (0 + area
  code + a 7–8-digit local number, with a dash, a space or brackets; a 7–8-digit number right after 电话,
  手机, 致电…) are masked. Service numbers are not personal and are kept: 400/800 numbers, 95xxx/96xxx
  (also after an area code), and the short hotlines (110, 12345, 12315…). An 11-digit run followed by a
  unit of money or quantity (元, 万, 人, 户…) is an amount, not a phone.
- ID numbers: 18 digits (the last may be X) whose GB 11643 check digit and birth date are right, or 15
  digits (the old ID) with a valid birth date. A run that fails the check is no ID (a case or order number),
  though it may still be a phone.
- Addresses: the numbers of building (栋, 幢, 号楼, 座), entrance (单元), floor (楼, 层) and flat (室, 房),
  a house number (号) after a road, street, lane, village or group, a village group (3组, 三组) after a
  village or township, and "3-2-501" after a housing estate. The place names before them are kept. A
  quantity ("有12栋楼"), a flat's layout ("3室2厅"), a date ("5月12号") or a document number ("〔2021〕12号")
  is not an address.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from text.chinese import dictionary_version, is_term, normalise_aligned, segmenter, tag_spans, terms

NAME, PHONE, ID_NUMBER, ADDRESS = "name", "phone", "id", "address"


@dataclass(frozen=True)
class Redaction:
    """One piece of personal data: text[start:end] is of `kind` and is replaced by `replacement`."""

    start: int
    end: int
    kind: str
    replacement: str


def redact(text: str) -> str:
    """`text` with its citizens' names, phone numbers, ID numbers and house numbers masked, nothing else
    changed."""
    parts = []
    position = 0
    for found in redactions(text):
        parts.append(text[position : found.start])
        parts.append(found.replacement)
        position = found.end
    parts.append(text[position:])
    return "".join(parts)


def redactions(text: str) -> list[Redaction]:
    """The personal data found in `text`, in order, not overlapping; offsets are offsets in `text`."""
    work = normalise_aligned(text)
    found = _id_numbers(text, work)
    found += _phones(text, work, taken=found)
    found += _addresses(text, work, taken=found)
    found += _names(text, work, taken=found)
    return sorted(found, key=lambda item: item.start)


def _free(start: int, end: int, taken: list[Redaction]) -> bool:
    return all(end <= item.start or start >= item.end for item in taken)


def _mask(original: str, keep: set[int]) -> str:
    """The digits of `original` as *, but those at the digit positions in `keep`; other characters stay."""
    out = []
    digit = 0
    for char in original:
        if char.isdigit() or char in "Xx" + _CHINESE_DIGITS:
            out.append(char if digit in keep else "*")
            digit += 1
        else:
            out.append(char)
    return "".join(out)


# ID numbers (GB 11643-1999) --------------------------------------------------------------------------------

_ID = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_valid(number: str) -> bool:
    """Whether `number` is a well-formed 居民身份证 number: 18 characters with the right check digit and a
    real birth date, or the old 15 digits with a real birth date."""
    if len(number) == 18 and number[:17].isdigit():
        total = sum(int(char) * weight for char, weight in zip(number[:17], _WEIGHTS, strict=True))
        return "10X98765432"[total % 11] == number[17].upper() and _birth_date(number[6:14])
    if len(number) == 15 and number.isdigit():
        return _birth_date("19" + number[6:12])
    return False


def _birth_date(digits: str) -> bool:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return date(1890, 1, 1) <= born <= date.today()


def _id_numbers(text: str, work: str) -> list[Redaction]:
    found = []
    for match in _ID.finditer(work):
        if id_number_valid(match.group()):
            # DESIGN §2 shows the first 4 and the last 4 (5227**********123X); the old 15-digit form keeps 4 + 3.
            tail = 4 if len(match.group()) == 18 else 3
            keep = set(range(4)) | set(range(len(match.group()) - tail, len(match.group())))
            original = text[match.start() : match.end()]
            found.append(Redaction(match.start(), match.end(), ID_NUMBER, _mask(original, keep)))
    return found


# Phone numbers ------------------------------------------------------------------------------------------

_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[- ]?)?(1[3-9]\d(?:[- ]?\d){8})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\((0\d{2,3})\)|（(0\d{2,3})）|(0\d{2,3}))[- ]?([2-8]\d{6,7})(?!\d)")
_LOCAL = re.compile(r"(?:电话|手机|座机|号码|热线|联系方式|致电|拨打|打)[是为：:]?\s*([2-8]\d{6,7})(?!\d)")
_UNIT_BEFORE = re.compile(
    r"(?:局|所|院|中心|办|站|委|政府|公司|队|厂|学校|中学|小学|医院|银行|协会|专线|热线)的?[（(]?"
    r"(?:联系|咨询|办公|值班|服务|举报|投诉)?(?:电话|号码|热线)?(?:是|为)?[：:]?\s*$"
)
# Quantities: an 11-digit run before these is an amount, not a mobile.
_AMOUNT_AFTER = re.compile(r"\s*(?:元|万|亿|块|角|%|‰|人|户|次|件|个|份|平方|米|亩|斤|吨|公斤|千克|克)")


def _phones(text: str, work: str, *, taken: list[Redaction]) -> list[Redaction]:
    found: list[Redaction] = []

    def add(start: int, end: int, keep_last: int, keep_first: int = 0) -> None:
        if not _free(start, end, taken + found):
            return
        original = text[start:end]
        digits = sum(char.isdigit() for char in work[start:end])
        keep = set(range(keep_first)) | set(range(digits - keep_last, digits))
        found.append(Redaction(start, end, PHONE, _mask(original, keep)))

    for match in _MOBILE.finditer(work):
        if _AMOUNT_AFTER.match(work, match.end()):
            continue
        prefix = sum(char.isdigit() for char in work[match.start() : match.start(1)])
        # 138****5678: the operator prefix and the last four stay (DESIGN §2), a country code too.
        add(match.start(), match.end(), keep_last=4, keep_first=prefix + 3)
    for match in _LANDLINE.finditer(work):
        local = match.group(4)
        if (
            local.startswith("9")
            or _AMOUNT_AFTER.match(work, match.end())
            or _unit_number(work, match.start())
        ):
            continue
        area = len(next(group for group in match.groups()[:3] if group))
        # The area code says only the county; of the local number the last two stay, as on a receipt.
        add(match.start(), match.end(), keep_last=2, keep_first=area)
    for match in _LOCAL.finditer(work):
        if not _unit_number(work, match.start()):
            add(match.start(1), match.end(1), keep_last=2)
    return found


def _unit_number(work: str, start: int) -> bool:
    """Whether the landline at `start` is a unit's published number: the unit's name right before it, with at
    most a bracket and a phone word between (瓮安县人社局联系电话0854-…, 教育局的电话是…, 监察大队（电话…）)."""
    return bool(_UNIT_BEFORE.search(work, max(0, start - 16), start))


# Addresses ----------------------------------------------------------------------------------------------

_CHINESE_DIGITS = "一二三四五六七八九十百零〇两"
_PART = re.compile(r"(\d+|[一二三四五六七八九十]+)(号楼|栋|幢|座|单元|楼|层|室|房|号|组)")
_HOUSING = re.compile(r"(?:小区|花园|花苑|家园|公寓|大厦|苑|园|城|广场|楼|栋|安置点)$")
_TRIPLE = re.compile(r"(?<![\d-])\d{1,3}-\d{1,2}-\d{3,4}(?![\d-])")
# Before a lone 栋 these words make it a count of buildings ("有12栋楼"), not a building's number.
_COUNT_BEFORE = re.compile(r"(?:有|共|计|建|盖|了|约|近|余|多|每|几|这|那|第)$")
_ROAD_BEFORE = re.compile(r"(?:路|街|巷|弄|道|村|寨|组|区|院|屯)$")
_PLACE_BEFORE = re.compile(r"(?:村|寨|镇|乡|社区|屯|居委会)$")


def _addresses(text: str, work: str, *, taken: list[Redaction]) -> list[Redaction]:
    found: list[Redaction] = []
    for start, end in _address_runs(work):
        if _free(start, end, taken + found):
            found.append(Redaction(start, end, ADDRESS, _mask(text[start:end], set())))
    for match in _TRIPLE.finditer(work):
        before = work[max(0, match.start() - 8) : match.start()]
        if any(_HOUSING.search(before[:i]) for i in range(1, len(before) + 1)) and _free(
            match.start(), match.end(), taken + found
        ):
            found.append(
                Redaction(
                    match.start(), match.end(), ADDRESS, _mask(text[match.start() : match.end()], set())
                )
            )
    return found


def _address_runs(work: str) -> list[tuple[int, int]]:
    """Runs of number + unit parts (3栋2单元501室, 3组12号) that are the address of a home."""
    runs: list[list[re.Match[str]]] = []
    for match in _PART.finditer(work):
        if runs and runs[-1][-1].end() == match.start():
            runs[-1].append(match)
        else:
            runs.append([match])
    return [(run[0].start(), run[-1].end()) for run in runs if _is_address(work, run)]


def _is_address(work: str, run: list[re.Match[str]]) -> bool:
    units = [match.group(2) for match in run]
    before = work[: run[0].start()]
    after = work[run[-1].end() :]
    chinese = not run[0].group(1).isdigit()
    if units[-1] in ("室", "房") and re.match(r"\d*[厅间卫]", after) and not after.startswith("间"):
        return False  # 3室2厅 is a flat's layout
    if chinese:
        # Chinese numerals are common in counts ("一组照片"); only a village group right after its village.
        return units[0] == "组" and bool(_PLACE_BEFORE.search(before))
    if len(run) >= 2:
        return not before.endswith("月")
    unit = units[0]
    if unit in ("单元", "号楼", "幢"):
        return True
    if unit in ("室", "房"):
        return len(run[0].group(1)) >= 3
    if unit in ("栋", "座"):
        return not _COUNT_BEFORE.search(before)
    if unit == "号":
        return bool(_ROAD_BEFORE.search(before))
    if unit == "组":
        return bool(_PLACE_BEFORE.search(before))
    return False


# Names --------------------------------------------------------------------------------------------------

# The common surnames (百家姓 as people bear them today), less those that are mostly everyday words in
# appeals and rarely surnames (和, 时, 全, 明, 乐, 应, 解, 单, 师, 商).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "佘池匡钮燕揭粟滕班麻杭侬蓬洪吉冼"
)
# Surnames that are rare, or whose character is mostly a word or a piece of a place name (沙, 路, 边, 班, 麻…):
# jieba's guess of a person or the start of a sentence is not enough for them, a cue is needed.
_RARE_SURNAMES = frozenset(
    "路沙边班麻车项连芦麦褚娄窦戚景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁荣巫寇桑郎甄丛仲虞敖巩"
    "佘池匡钮燕揭粟杭侬蓬洪吉冼房屈饶艾尤阳穆农司卓古缪简"
)
# Characters common in given names. A surname with nothing before it (at the start of a sentence) is read as
# the start of a name only when its given name is made of these.
_GIVEN = frozenset(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华玉萍红建文辉力斌波宇浩凯健俊帆帅旭宁龙林欣佳怡婷"
    "雪琳晨鹏飞鑫昊宏志国德福贵荣富昌发祥生光海山江春梅珍凤琴云莲芬兵成顺安全永金银财宝喜庆寿禄胜利忠义"
    "仁礼智信诚和正清亮新立学兴旺民东南西中方远长家世万先仕才孝良有朝贤振卫雄豪翔鹤鸿鸣虎彪峰岭岩石松柏"
    "竹树森泉洪川源泰康定坚毅威武彬博士儒宗祖继承传邦夏盛隆达通运登跃腾航炎焱轩睿哲涵阳峻锋钢铁锐铭锦钧"
    "铮权政治益增添寅辰子小云雷霖露冰晶晓昕晖曦昭显耀灿炳焕煜熙然照启开创业基本根深厚宽广友朋宾勤俭恒敬"
    "谦孟乾坤元亨贞吉祺瑞禧天合协勋功聪慧颖思念怀恩惠泽润瀚渊沛淳汉河滨泳澄洁沁淑娥妹美翠碧彩燕蓉莉莎丹"
    "青倩蕾薇菲馨悦欢乐笑嘉依琪琦瑶璐琼珊瑜玲珠环娇媛妍妮姗婧嫣媚娣招弟巧秋冬晴姣姿容颜婉娴雅素荷茜萱蓓"
    "蕊芝芸苗茹莹萌叶虹彤可心意爱菊花香月红凤仙桃杏柳莺鹃蝶雁鹰骏驰奎魁章斌彦俊杨槐楠桐枝根茂盛旺发财"
    "应栋"
)
_COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐", "夏侯", "端木", "轩辕", "独孤",
    "南宫", "西门", "百里", "呼延", "万俟", "闻人", "澹台", "公羊", "申屠", "太史", "钟离", "宗政", "濮阳", "淳于", "单于", "赫连", "拓跋",
    "东郭", "闾丘", "子车", "谷梁"
))  # fmt: skip
# Words that end a cue: after them a surname starts a person's name (反映人张**, 村民李**, 我叫王**).
_CUE_BEFORE = re.compile(
    r"(?:反映人|举报人|来访人|来信人|信访人|申请人|被申请人|当事人|双方当事人|联系人|受害人|投诉人|被反映人|"
    r"被举报人|调解员|网格员|村民|居民|群众|农民工|民工|工人|务工人员|患者|病人|家属|老人|学生|家长|业主|住户|"
    r"租户|承包户|购房户|户主|老板|包工头|工头|项目经理|负责人|法定代表人|法人|司机|车主|驾驶人|驾驶员|教师|"
    r"老师|医生|护士|民警|警官|辅警|律师|会计|财务|出纳|女士|先生|我叫|名叫|叫做|叫|自称|我是|本人|丈夫|妻子|"
    r"前夫|前妻|老公|老婆|孩子|儿子|女儿|儿媳|女婿|父亲|母亲|爷爷|奶奶|外公|外婆|哥哥|姐姐|弟弟|妹妹|其弟|其兄|"
    r"其妹|其姐|其夫|其妻|叔叔|伯伯|舅舅|姑姑|孙子|孙女|外孙|侄子|邻居|老乡|同事|朋友|同学|村主任|村支书|"
    r"支书|主任|书记|局长|所长|镇长|乡长|村长|组长|小组长|队长|院长|校长|站长|经理|董事长|厂长|员工|职工|"
    r"劳动者|未成年人|儿童|适龄儿童|残疾人|脱贫户|贫困户|低保户|搬迁户|特困人员|五保户|收款人|骗子|嫌疑人|"
    r"犯罪嫌疑人|工作人员|困难户|自称是|名字是|姓名|原告|被告|被害人|申诉人|被申诉人|购房人|承包人|出租人|"
    r"承租人|产权人|代理人|委托人|监护人|借款人|出借人|证人|干部|农民|带头人|通知|联系|找|委托|亲属|亲戚|侄女|成员|代表|"
    r"保安|保姆|村医|护工|问政人|求助人|求助者|农户|商户|用户|客户|个体户|养殖户|种植户|监测户|拆迁户|被征收户)[：:“\"「 ]?"
)
# Kinship words, which end a cue as well (伯父韦**, 二叔杨**, 外甥唐**): a name follows them more often than not.
_KIN = re.compile(
    r"[大二三四五六七小幺堂表]?(?:哥|姐|弟|妹|叔|伯|舅|姑|姨|爷|奶)|伯父|伯母|叔父|婶婶|婶子|舅妈|舅母|姑父|姑妈|姨父|"
    r"姨妈|岳父|岳母|公公|婆婆|丈人|继父|继母|养父|养母|后妈|生父|生母|姐夫|妹夫|嫂子|弟媳|儿媳|女婿|侄女|侄儿|"
    r"外甥女?|外孙女?|孙媳|老伴|亲家|连襟|小叔子|小姑子|[大二三四五小]儿子|[大二三四五小]女儿|长子|次子|长女|次女|"
    r"未婚妻|未婚夫|男友|女友|男朋友|女朋友"
)
# The last character of a word naming a person by trade or role (钢筋工, 快递员, 开发商, 店主, 网友, 租客…):
# a noun that ends in one of them is a cue, whether or not it is on the list above.
_ROLE_END = set("工员师商者主友客医匠手东官长兵警头人")
_ROLE_FLAGS = ("n", "nr", "ng", "j", "zg", "q")
# Words right after a name that make it one (张**阿姨, 王**之子), or confirm jieba's tag (王**反映).
_CUE_AFTER = re.compile(
    r"(?:之子|之女|之妻|之夫|之父|之母|夫妇|夫妻|兄弟|姐妹|姐弟|兄妹|一家|等人|阿姨|大爷|大妈|大娘|大姐|大哥|"
    r"大叔|大伯|奶奶|爷爷|老人|女士|先生|师傅|同志|老师|医生|律师|"
    r"[（(]|，男|，女|,男|,女)"
)
_WEAK_AFTER = re.compile(r"(?:反映|称|说|表示|介绍|认为|诉称|的(?:妻子|丈夫|儿子|女儿|父亲|母亲|电话))")
_LIST_SEPARATORS = "、和与及"
# Titles and forms of address: a surname followed by one of these is a role, not a name (张局长, 李书记).
_TITLES = frozenset((
    "局长", "书记", "支书", "主任", "所长", "镇长", "乡长", "村长", "县长", "市长", "区长", "州长", "厅长", "处长", "科长", "股长", "部长",
    "站长", "院长", "校长", "队长", "组长", "主席", "经理", "总经理", "董事长", "厂长", "老板", "老师", "医生", "护士", "律师", "警官", "法官",
    "会计", "师傅", "干部", "同志", "委员", "大爷", "阿姨", "大妈", "大娘", "大姐", "大哥", "大叔", "大伯", "奶奶", "爷爷", "婆婆", "老人",
    "老汉", "老太", "老头", "女士", "先生", "小姐", "叔叔", "伯伯", "某某", "家人", "家里", "孩子", "儿子", "女儿", "妻子", "丈夫", "老婆",
    "老公", "父亲", "母亲", "哥哥", "姐姐", "弟弟", "妹妹", "家属", "一家", "家族", "行长", "教授", "记者", "总监", "馆长",
    "团长", "秘书", "教师", "领导", "总", "工", "哥", "姐", "叔", "婶", "嫂", "伯", "爷", "婆", "妈", "姨", "舅", "姓", "氏"
))  # fmt: skip
# A character that cannot be part of a given name here: a function word or the start of the next phrase.
# 家 may begin a two-character given name (王家贵, 雷家顺), never be one (张家的房子).
_NOT_IN_NAME = set(
    "的了在和与及跟同向把被将对给让从到也都就还又已于为因是有说称等家之某夫妻女男岁年月日今"
    "去来要不没请反拖欠住您你我他她"
)
# Characters that never begin a given name: the suffixes of places and units (华|路南, 李|村长).
_NOT_GIVEN_START = set("路街村镇乡县市区省巷组局所院站厂店苑楼栋号")
# After these a would-be name is a place or a unit: 王家寨, 黄丝派出所, 石板村.
_PLACE_SUFFIXES = (
    "村", "寨", "镇", "乡", "县", "市", "区", "州", "省", "街", "街道", "路", "巷", "弄", "桥", "坝", "湾", "沟", "坡", "屯", "庄", "组",
    "社区", "小区", "局", "所", "院", "站", "厂", "场", "店", "馆", "公司", "学校", "中学", "小学", "幼儿园", "医院", "卫生院", "银行", "超市", "广场",
    "大道", "花园", "苑", "山", "河", "江", "湖", "塘", "冲", "坪", "堡", "井", "坳", "岭", "洞", "寺", "委", "办", "中心", "集团", "协会",
    "合作社", "大队", "派出所", "景区", "酒店", "宾馆", "餐馆", "饭店", "茶", "线", "牌", "号"
)  # fmt: skip
# Longest first, so that a suffix is read whole (街道, not 街 before a word 街道 that would not end there).
_PLACE_AFTER = re.compile("|".join(sorted(_PLACE_SUFFIXES, key=len, reverse=True)))
# After a family's name and 家 these make a place (高林仕家小区, 陈山家组): an estate or a village group.
_FAMILY_PLACE_AFTER = re.compile(r"(?:小区|花园|花苑|家园|公寓|大厦|苑|广场|组|寨|村|湾|坝|院子|冲|坡)")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str
    flag: str


class _Words:
    """jieba's words of (a stretch of) the text, by the offset they start at and by each offset they cover."""

    def __init__(self, work: str, start: int = 0, end: int | None = None) -> None:
        stretch = work[start:end]
        self.at: dict[int, _Token] = {}
        self.cover: dict[int, _Token] = {}
        for begin, finish, word, flag in tag_spans(stretch):
            token = _Token(start + begin, start + finish, word, flag)
            self.at[token.start] = token
            for index in range(token.start, token.end):
                self.cover[index] = token


def _names(text: str, work: str, *, taken: list[Redaction]) -> list[Redaction]:
    sentence = _Words(work)
    candidates: list[tuple[int, int, int]] = []  # start, end, length of the surname
    spans: list[tuple[int, int, int]] = []
    for start in range(len(work)):
        surname = _surname_at(work, start)
        covering = sentence.cover.get(start)
        if (
            not surname
            or covering is None
            or not _free(start, start + surname, taken + _as_redactions(spans))
        ):
            continue
        role = preposition = False
        cued = _cued(work, start, sentence) or _listed(work, start, start, spans)
        if not cued:
            preposition = _preposition_before(work, start, sentence)
            role = cued = (
                _role_before(work, start, sentence) or _home_before(work, start, sentence) or preposition
            )
        glued = covering.start < start
        if glued and segmenter().has_word(covering.word) and not (cued and covering.end == start + 1):
            continue  # the surname's character is inside a word (联系方式, 由于), not glued to a cue (业主张)
        nickname = _nickname_end(work, start, surname, sentence)
        if nickname is not None and _free(start, nickname, taken):
            candidates.append((start, nickname, surname))
            spans.append((start, nickname, surname))
            continue
        if not cued and _sentence_start(work, start):
            # At the start of a sentence a name needs no cue, but the given-name characters it is made of.
            words = _Words(work, start, start + 8)
            end = _candidate(work, start, surname, words.at, extend=True)
            if (
                end is not None
                and _free(start, end, taken)
                and _is_name(work, start, end, surname, words, sentence, cued=False, bare=True)
            ):
                candidates.append((start, end, surname))
                spans.append((start, end, surname))
                continue
        # jieba glues a cue's last character, or a preposition, to an unknown name ("来访人韦光荣" → 人韦|光荣,
        # "由孙立新" → 由孙|立新): such a name is read on its own.
        words = _Words(work, start, start + 8) if cued or glued else sentence
        # After a preposition a verb of one character often follows the name (把杨柳|砍了): no extending there.
        extend = cued and not preposition
        end = _cued_end(work, start, surname) or _candidate(work, start, surname, words.at, extend=extend)
        if end is None or not _free(start, end, taken):
            continue
        # After a preposition a noun makes it a business's name (把金鹰|机电市场, 向石恒|矿业), unless jieba
        # reads a person of a two-character given name (让张德明|赔偿损失).
        person = start in words.at and words.at[start].end == end == start + surname + 2
        person = person and words.at[start].flag.startswith("nr")
        if preposition and not (person or _predicate_after(work, end, words)):
            continue
        candidates.append((start, end, surname))
        if _is_name(work, start, end, surname, words, sentence, cued=cued, role=role):
            spans.append((start, end, surname))
    spans += _lists(work, candidates, spans)
    spans += _recurrences(work, spans, taken)
    return [
        Redaction(start, end, NAME, text[start : start + surname] + "**")
        for start, end, surname in sorted(set(spans))
    ]


def _cued(work: str, start: int, sentence: _Words) -> bool:
    """Whether a cue ends right before `start`: a word of the cue list or a kinship word, unless jieba reads
    both its ends as parts of other words (移民|工程: there is no 民工 there; 业|主张 and 该户|户主王 keep theirs)."""
    for begin in range(max(0, start - 8), start):
        if _CUE_BEFORE.fullmatch(work, begin, start) or _KIN.fullmatch(work, begin, start):
            if begin and _surname_at(work, begin - 1) and work[begin:start].rstrip('：:“"「 ') in _TITLES:
                continue  # 易书记管一下: a title after a surname is a form of address, what follows is no name
            head, tail = sentence.cover.get(begin), sentence.cover.get(start - 1)
            if not (
                head is not None
                and tail is not None
                and head.start < begin < head.end < start
                and tail.end > start
                and segmenter().has_word(head.word)
                and segmenter().has_word(tail.word)
            ):
                return True
    return False


def _role_before(work: str, start: int, sentence: _Words) -> bool:
    """Whether the word before `start` names a person by trade or role: a noun ending in 工, 员, 商, 主…"""
    covering = sentence.cover.get(start)
    if (
        covering is not None
        and covering.start == start - 1
        and work[start - 1] in _ROLE_END | {"户"}
        and covering.flag.startswith("nr")
        and not segmenter().has_word(covering.word)
    ):
        # jieba glued the role's last character to an unknown name: 快递|员田勇, 监测|户雷家顺.
        before = sentence.cover.get(start - 2)
        return before is not None and before.flag[:1] in ("n", "v")
    word = sentence.cover.get(start - 1) if start else None
    if word is None or word.end != start or word.word[-1] not in _ROLE_END or word.flag not in _ROLE_FLAGS:
        return False
    if len(word.word) >= 2:
        return True
    if word.word not in ("工", "员"):
        return False
    # A role's last character on its own (钢筋|工, 网格|员) after the noun or verb it completes.
    before = sentence.cover.get(start - 2)
    return before is not None and before.end == start - 1 and before.flag[:1] in ("n", "v")


# Prepositions that a person's name follows (被李**扣了, 由孙**负责, 让王**赔偿): weak cues, as a role word.
_PREPOSITIONS = set("被由让给把将对向跟")
# Surnames that are prepositions as well (向东, 于是): at the start of a sentence they are read as such.
_PREPOSITION_SURNAMES = set("向于")


def _preposition_before(work: str, start: int, sentence: _Words) -> bool:
    """Whether a preposition of its own stands before `start` (被|李**, or glued to the name: 由孙|立新), not
    the end of a word (由于, 对于, 通向)."""
    word = sentence.cover.get(start - 1) if start else None
    return (
        word is not None
        and work[start - 1] in _PREPOSITIONS
        and (len(word.word) == 1 or not segmenter().has_word(word.word))
    )


# A home's place right before a name (我们村李明华家…, 三组王德富…): as weak a cue as a role word.
_HOME_END = re.compile(r"(?:村|组|寨|屯|社区|小区)$")


def _home_before(work: str, start: int, sentence: _Words) -> bool:
    """Whether the word before `start` is a village, a village group or a housing estate (a word of its own,
    not the start of a longer one: 村委会 and 组织 are none)."""
    word = sentence.cover.get(start - 1) if start else None
    return word is not None and word.end == start and bool(_HOME_END.search(word.word))


# Names by which the masses call a person: a surname and a birth order (吴老四, 莫老三, 杨二妹, 王幺娃), and the
# placeholders that stand for anyone (张三, 李四, 王五, 赵六); both are names, wherever they stand.
_NICKNAME = re.compile(r"老[二三四五六七八九十幺]|[大二三四五六七幺小][妹娃毛]")
_PLACEHOLDERS = frozenset(("张三", "李四", "王五", "赵六", "钱七"))


def _nickname_end(work: str, start: int, surname: int, sentence: _Words) -> int | None:
    """The end of a nickname or a placeholder name at `start`, unless what follows makes it a place (王老五寨)
    or a word goes on through its end (张三角, 李四川…)."""
    if work[start - 1 : start] in ("老", "小"):
        return None
    if work[start : start + 2] in _PLACEHOLDERS:
        end = start + 2
    else:
        match = _NICKNAME.match(work, start + surname)
        if match is None:
            return None
        end = match.end()
    token = sentence.cover.get(end - 1)
    if token is not None and token.end > end and segmenter().has_word(token.word):
        return None
    return None if _place_after(work, end, sentence) else end


_OPENING = set("，。；！？：,.;!?:（(【[）)】]」』” \t\u3000")


def _sentence_start(work: str, start: int) -> bool:
    """Whether `start` begins the text, a sentence, a clause or a bracket."""
    return start == 0 or work[start - 1] in _OPENING


def _cued_end(work: str, start: int, surname: int) -> int | None:
    """The end of a name that a cue right after it marks (王**之子, 孟**阿姨), trusted over jieba's words."""
    for length in (2, 1):
        end = start + surname + length
        given = work[start + surname : end]
        if (
            len(given) == length
            and all(_is_han(char) and char not in _NOT_IN_NAME for char in given)
            and _CUE_AFTER.match(work, end)
            and given not in _TITLES
        ):
            return end
    return None


def _lists(
    work: str, candidates: list[tuple[int, int, int]], spans: list[tuple[int, int, int]]
) -> list[tuple[int, int, int]]:
    """Candidates listed with a name (杨**、杨**和杨**), before it or after it, are names too, when they have
    the form of one (5月20日左右与龙**: 左右 is a word)."""
    found = list(spans)
    added: list[tuple[int, int, int]] = []
    changed = True
    while changed:
        changed = False
        for candidate in candidates:
            start, end, surname = candidate
            if (
                candidate not in found
                and _listed(work, start, end, found)
                and _given_like(work[start:end], work[start + surname : end])
            ):
                found.append(candidate)
                added.append(candidate)
                changed = True
    return added


def _as_redactions(spans: list[tuple[int, int, int]]) -> list[Redaction]:
    return [Redaction(start, end, NAME, "") for start, end, _ in spans]


def _surname_at(work: str, start: int) -> int:
    if work[start : start + 2] in _COMPOUND_SURNAMES:
        return 2
    return 1 if work[start] in _SURNAMES else 0


def _candidate(
    work: str, start: int, surname: int, token_at: dict[int, _Token], *, extend: bool
) -> int | None:
    """The end of the name that would start at `start` with a surname of `surname` characters, where jieba's
    words end it: jieba's person word, or the surname alone followed by a one- or two-character word. jieba
    glues a following function word to an unknown name ("李晓云因"): that character is left out. With
    `extend` (a cue says a name starts here), a one-character given name may take one more character
    beyond jieba's word (邻居黎明|华在 → 黎明华)."""
    given = start + surname
    token = token_at.get(start)
    if token is None:
        return None
    if token.end > given:
        end = min(token.end, given + 2)
        if end < token.end and segmenter().has_word(token.word):
            return None  # the surname begins a longer word: 林权证, 孔雀开屏
    else:
        following = token_at.get(given)
        if following is None or len(following.word) > 2:
            return None
        end = following.end
    if extend and surname == 1 and work[given] == "家":
        # 家 begins a given name (王家贵) only with a given-name character after it: 王家寨, 陈家兄弟 are none.
        second = work[given + 1 : given + 2]
        return given + 2 if second in _GIVEN and not _PLACE_AFTER.match(work, given + 1) else None
    while end > given and work[end - 1] in _NOT_IN_NAME:
        end -= 1
    if end == given or not all(_is_han(char) and char not in _NOT_IN_NAME for char in work[given:end]):
        return None
    if end == given + 1 and (token.end == given or extend) and _second_given(work, end, token_at):
        end += 1
    return end


def _second_given(work: str, index: int, token_at: dict[int, _Token]) -> bool:
    """Whether the character at `index`, after a one-character given name, still belongs to the name: jieba
    left it alone or glued a function word to it ("华在"), and it is no function word or cue itself."""
    token = token_at.get(index)
    if token is None or index >= len(work):
        return False
    char = work[index]
    # jieba left it alone, glued a function word to it ("华在"), or guessed a word of it and the next character
    # that its dictionary lacks (宁学|军教|了: 军 is a given-name character).
    alone = len(token.word) == 1 or (
        len(token.word) == 2
        and (token.word[1] in _NOT_IN_NAME or (char in _GIVEN and not segmenter().has_word(token.word)))
    )
    return (
        alone
        and _is_han(char)
        and char not in _NOT_IN_NAME
        and not _CUE_AFTER.match(work, index)
        and not _WEAK_AFTER.match(work, index)
        # 江, 山, 林 end given names as often as places; a place's suffix is followed by more words.
        and not (_PLACE_AFTER.match(work, index) and _is_han(work[index + 1 : index + 2] or "，"))
    )


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _is_name(
    work: str,
    start: int,
    end: int,
    surname: int,
    words: _Words,
    sentence: _Words,
    *,
    cued: bool,
    bare: bool = False,
    role: bool = False,
) -> bool:
    """Whether work[start:end], a surname and a given name by their form, is a person's name here."""
    given = work[start + surname : end]
    if given in _TITLES or any(given.startswith(title) for title in _TITLES) or given[0] == "某":
        return False
    if work[start:end] in _place_pieces(dictionary_version()) or _KIN.fullmatch(work, start, end):
        return False  # a piece of a place name of the region (王佑镇, 沙包堡街道) or a kinship word (岳父)
    if (len(given) == 2 and _PLACE_AFTER.fullmatch(given)) or given[-1] in _PLACE_END:
        return False  # 剑江花园, 安沙镇, 米粉厂: the "given name" is (the end of) a place's name
    if (
        work[start - 1 : start] in ("老", "小")
        or _place_after(work, end, sentence)
        or _inside_term(start, end, sentence)
    ):
        return False
    token = words.at[start]
    dictionary_word = token.end == end and segmenter().has_word(token.word)
    if _common_word(work[start:end]) or (surname == 1 and _begins_with_word(work, start, end)):
        return False  # 房屋, 车主, 费用, 高兴地: a word of the language, not a name
    if given[0] in _NOT_GIVEN_START:
        return False  # 华|路南, 李|村长: a given name does not begin with a place's or a unit's suffix
    if bare:
        return _bare_name(work, start, end, surname, words)
    if role and _given_like(work[start:end], given):
        return True  # a weak cue (a role word not on the list) and the form of a name
    cued = cued and not role
    if cued or (surname == 2 and work[start : start + 2] != "东方"):
        return True
    after = _CUE_AFTER.match(work, end)
    if after and after.group() in "（(":
        # A bracket after a name (张**（男，45岁）) follows many other words as well: 收费高昂（…）, 高铁票（…）.
        return _given_like(work[start:end], given)
    if after:
        # Before 老人, 阿姨…, a dictionary word other than a name describes the person: 高龄老人.
        return not (segmenter().has_word(work[start:end]) and not token.flag.startswith("nr"))
    if work[start] in _RARE_SURNAMES:
        return False  # 沙|恒大, 路|产, 边|招生: without a cue these surnames are words
    given_token = words.at.get(start + surname)
    if given_token is not None and given_token.end == end and given_token.flag.startswith("ns"):
        return False  # 梅|溪湖: the would-be given name is a place
    if _common_word(given):
        return False  # without a cue, 沙|国际, 余|平方 are words, not names
    if not _tagged_person(start, end, words.at):
        # jieba may miss the surname but tag the given name (向|明珠): then a person's word must follow.
        given_token = words.at.get(start + surname)
        return bool(
            given_token is not None
            and given_token.end == end
            and given_token.flag.startswith("nr")
            and _WEAK_AFTER.match(work, end)
        )
    if end - start - surname == 1 or dictionary_word:
        # A one-character given name that jieba guessed, or a word of jieba's dictionary that it tags nr
        # (张贴, 陈旧, 黄金周, 马尾松), needs a word after it that a person does: 王芳反映.
        return bool(_WEAK_AFTER.match(work, end))
    return True


# jieba's person words that are as frequent as this in its dictionary are words, not citizens (许可, 黎明).
_NAME_FREQUENCY = 30


def _given_like(name: str, given: str) -> bool:
    """Whether `name` looks like a person's name when only a weak cue says so: its given name is made of
    given-name characters, and it is no word of jieba's dictionary unless a rarely seen person's name."""
    if not all(char in _GIVEN for char in given):
        return False
    if _common_word(given) and segmenter().suggest_freq(given) > _COMMON_FREQUENCY:
        return False  # 连|基本的, 黄|金额: the given name would be one of the commonest words
    if segmenter().has_word(name):
        # A person's word of three characters or more is a name however often jieba saw it (陈永福); of two,
        # only a rare one (许可, 黎明 are words).
        return len(name) >= 3 and (_dictionary_flag(name) or "").startswith("nr")
    return True


def _bare_name(work: str, start: int, end: int, surname: int, words: _Words) -> bool:
    """A name with no cue, at the start of a sentence (杜海波在门口…, 张桂兰今年…): a surname and a given name
    that look like a name (`_given_like`), followed by the start of a predicate. A one-character given name
    needs jieba's person tag as well; a rare surname (沙, 路…) a two-character given name."""
    name, given = work[start:end], work[start + surname : end]
    if not _given_like(name, given):
        return False
    if work[start] in _RARE_SURNAMES and surname == 1:
        head = name[:2]
        if len(given) < 2 or (
            segmenter().has_word(head) and segmenter().suggest_freq(head) > _NAME_FREQUENCY
        ):
            return False  # 苟利, 农民本来, 房子建于: a word, not a name
    if len(given) == 1 and not _person_tagged(words, start, end):
        return False
    if _predicate_after(work, end, words):
        return True
    token = words.at.get(end)
    # jieba reads a noun after a name that it tagged (吴斌|贵|遭遇: 遭遇 as a noun): a two-character given
    # name and jieba's person tag on the name are enough then.
    return (
        token is not None
        and len(given) == 2
        and work[start] not in _PREPOSITION_SURNAMES  # 向石恒|矿业: 向 is "to" there
        and token.flag[:1] in ("n", "q")
        and not token.flag.startswith(_PROPER)
        and _person_tagged(words, start, end)
    )


def _person_tagged(words: _Words, start: int, end: int) -> bool:
    """Whether jieba tags a person (nr) a word that begins inside work[start:end]."""
    return any(token.flag.startswith("nr") for index, token in words.at.items() if start <= index < end)


def _predicate_after(work: str, end: int, words: _Words) -> bool:
    """Whether what follows a would-be name at `end` begins a predicate (a verb, an adverb, a preposition, a
    function word…), or the name ends its clause."""
    following = work[end : end + 1]
    if not following or not _is_han(following) or following in _NOT_IN_NAME:
        return True
    token = words.at.get(end)
    if token is None:
        # jieba guessed a word of the name's last character and the next one (韦正|刚信|了, 罗明|芬打|电话)
        inside = words.cover.get(end)
        return inside is not None and not segmenter().has_word(inside.word)
    return token.flag[:1] in ("v", "d", "p", "c", "u", "r", "m", "t")


@lru_cache(maxsize=4)
def _place_pieces(version: int) -> frozenset[str]:
    """Every two or three characters of a user-dictionary word (the region's place names) that begin with a
    surname: 王佑 of 王佑镇, 沙包 of 沙包堡街道."""
    pieces: set[str] = set()
    for term in terms():
        for index, char in enumerate(term):
            if char in _SURNAMES:
                pieces.update(
                    term[index : index + length] for length in (2, 3) if index + length <= len(term)
                )
    return frozenset(pieces)


def _place_after(work: str, end: int, sentence: _Words) -> bool:
    """Whether a place or unit suffix follows (王家寨, 黄丝派出所), and is not the start of another word
    (陈**组织调解: 组 begins 组织)."""
    match = _PLACE_AFTER.match(work, end)
    if match is None and work[end : end + 1] == "家":
        match = _FAMILY_PLACE_AFTER.match(work, end + 1)
    if match is None:
        return False
    token = sentence.cover.get(end)
    if token is None or token.start < end or token.end <= match.end():
        return True
    # A longer word that begins with the suffix: a place still (镇富里, 路南), unless a word of another kind.
    return not segmenter().has_word(token.word) or token.flag.startswith(("ns", "s", "f"))


_NOUN = ("nr", "n", "j")
_PROPER = ("nr", "ns", "nz")
# Characters that end the names of places and premises, not of people.
_PLACE_END = set("村镇乡县市区街路巷道厂庙组库局站店苑城寨坝湾沟坡屯冲坪堡洞寺湖桥塘")


def _dictionary_flag(word: str) -> str | None:
    """jieba's part of speech of `word` when `word` is one word of its dictionary."""
    if len(word) < 2 or not segmenter().has_word(word):
        return None
    tagged = segmenter().tag(word, False)
    return tagged[0][1] if len(tagged) == 1 else None


def _common_word(word: str) -> bool:
    """Whether `word` is in jieba's dictionary as something other than a proper name (房屋, 车主, 常常)."""
    flag = _dictionary_flag(word)
    return flag is not None and not flag.startswith(_PROPER)


# A would-be name that begins with one of the commonest words of the language is that word: 关系甚好, 方面违反.
_COMMON_FREQUENCY = 2000


def _begins_with_word(work: str, start: int, end: int) -> bool:
    """Whether a longer would-be name begins with a word that is no noun (a verb, an adjective…: 高兴地说), or
    with a very common noun (关系, 农民, 房子)."""
    head = work[start : start + 2]
    flag = _dictionary_flag(head) if end > start + 2 else None
    if flag is None:
        return False
    if flag[:1] not in ("n", "j"):
        return True
    return not flag.startswith(_PROPER) and segmenter().suggest_freq(head) > _COMMON_FREQUENCY


def _tagged_person(start: int, end: int, token_at: dict[int, _Token]) -> bool:
    """Whether jieba reads a person here: its word is tagged nr, or the surname alone is tagged nr and a
    word that is no verb or function word follows it (熊|国安)."""
    token = token_at.get(start)
    if token is None or not token.flag.startswith("nr"):
        return False
    if token.end - start > 1 and token.end >= end - 1:
        return True
    following = token_at.get(token.end)
    return (
        following is not None
        and following.end == end
        and following.flag[:1] not in ("v", "d", "p", "c", "u", "r", "m", "q", "f", "t", "x")
    )


def _inside_term(start: int, end: int, sentence: _Words) -> bool:
    """Whether the would-be name lies in a user-dictionary word (a place name: 蒙家桥社区, 马场坪街道)."""
    return any(is_term(sentence.cover[index].word) for index in range(start, end))


def _listed(work: str, start: int, end: int, names: list[tuple[int, int, int]]) -> bool:
    """Whether work[start:end] stands in a list with one of `names`, one separator between them."""
    return any(
        (name_end + 1 == start and work[name_end] in _LIST_SEPARATORS)
        or (end + 1 == name_start and work[end] in _LIST_SEPARATORS)
        for name_start, name_end, _ in names
    )


def _recurrences(
    work: str, spans: list[tuple[int, int, int]], taken: list[Redaction]
) -> list[tuple[int, int, int]]:
    """Other occurrences of the names found: a name found once is masked wherever it recurs."""
    more = []
    for start, end, surname in spans:
        name = work[start:end]
        for match in re.finditer(re.escape(name), work):
            if match.start() != start and _free(match.start(), match.end(), taken):
                more.append((match.start(), match.end(), surname))
    return more
