import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from text.chinese import reset_terms
from text.redact import id_number_valid, redact, redactions
from text.tests.redaction_set import load, region_terms, score

# The targets of issue 13: every phone and ID number, 95 % of names, 90 % of the other words kept.
NAME_RECALL, KEPT = 0.95, 0.90


@pytest.fixture(autouse=True)
def _place_names() -> Iterator[None]:
    """The reference region table's names, read from the fixture file: the tests never touch the database."""
    reset_terms(region_terms())
    yield
    reset_terms()


def test_names_keep_the_surname_only() -> None:
    assert redact("反映人张建国称，老板陈德胜拖欠工资") == "反映人张**称，老板陈**拖欠工资"


def test_a_name_found_once_is_masked_where_it_recurs() -> None:
    assert redact("当事人潘志勇同意赔偿，由潘志勇支付3000元") == "当事人潘**同意赔偿，由潘**支付3000元"


def test_names_in_a_list_and_compound_surnames() -> None:
    assert redact("三个儿子杨德福、杨德禄和杨德寿") == "三个儿子杨**、杨**和杨**"
    assert redact("我叫欧阳明辉，是村民") == "我叫欧阳**，是村民"


def test_a_surname_with_a_title_or_a_form_of_address_is_kept() -> None:
    text = "张局长说老王和李某的事情已经处理，王大爷很满意"
    assert redact(text) == text


def test_an_officials_full_name_is_masked() -> None:
    assert redact("举报村主任赵德福侵占集体资金") == "举报村主任赵**侵占集体资金"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", "电话138****5678"),
        ("手机139 8542 1763", "手机139 **** 1763"),
        ("号码+86 152 0854 3371", "号码+86 152 **** 3371"),
        ("电话0854-8223456", "电话0854-*****56"),
        ("联系电话（0854）8235566", "联系电话（0854）*****66"),
        ("手机１３９８５４７１２３５", "手机１３９****１２３５"),
        ("请联系我（电话0854-8221366）", "请联系我（电话0854-*****66）"),  # a bracket after a person
    ],
)
def test_phone_numbers_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "请拨打12345热线或者12333咨询",
        "客服电话95566，专线400-820-8820",
        "都匀市公安局反诈中心电话0854-96110",
        "瓮安县人社局联系电话0854-2621234",
        "请都匀市劳动保障监察大队（电话0854-8221366）依法处理",  # a bracket after a unit
        "他借了对方18685120000元",
        "订单号15985420073000，快递单号773219854012366",
    ],
)
def test_service_numbers_amounts_and_other_numbers_are_kept(text: str) -> None:
    assert redact(text) == text


def test_id_numbers_are_checked_by_their_check_digit() -> None:
    assert id_number_valid("522701198503123411")
    assert not id_number_valid("522701198503123410")
    assert id_number_valid("522701650312123")
    assert not id_number_valid("522701651332123")
    assert redact("身份证号522701198503123411") == "身份证号5227**********3411"
    assert redact("旧证522701650312123") == "旧证5227********123"
    assert redact("编号522701198503123410校验不通过") == "编号522701198503123410校验不通过"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("住都匀市幸福小区3栋2单元501室", "住都匀市幸福小区*栋*单元***室"),
        ("平塘县克度镇金盆村3组12号", "平塘县克度镇金盆村*组**号"),
        ("荔波县玉屏街道樟江路45号", "荔波县玉屏街道樟江路**号"),
        ("都匀市归兰水族乡五组", "都匀市归兰水族乡*组"),
        ("幸福小区3-2-501", "幸福小区*-*-***"),
    ],
)
def test_house_numbers_are_masked_and_place_names_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "该小区有12栋楼，共计960户",
        "房子是3室2厅的户型",
        "约定于5月12号前付清，依据黔南府发〔2021〕12号文件",
        "请把一组照片发到工作群里",
        "会议在2楼会议室召开",
    ],
)
def test_counts_layouts_and_dates_are_not_addresses(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "高速公路出口的黄金首饰店张贴了周末的通知",
        "陈旧的电线，林业站的石头，马路上的坑洼",
        "金额较大的补偿款应当通过银行转账发放",
        "马场坪街道派出所和都匀市人社局联合开展排查",
        "蒙家桥社区、黄丝社区、王司村的村民高兴地说",
        "黄金周期间，林权证的面积有异议",
    ],
)
def test_words_that_begin_with_a_surname_survive(text: str) -> None:
    assert redact(text) == text


def test_redactions_give_offsets_in_the_original_text() -> None:
    text = "反映人張建國，電話13812345678"  # traditional characters are read simplified, returned as written
    found = redactions(text)
    assert [(item.kind, text[item.start : item.end]) for item in found] == [
        ("name", "張建國"),
        ("phone", "13812345678"),
    ]
    assert redact(text) == "反映人張**，電話138****5678"


def test_the_command_redacts_stdin_to_stdout_line_by_line() -> None:
    lines = "反映人张建国，电话13812345678\r\n没有个人信息的一行\n\n村民王小芳住西园村3组12号"
    out = io.StringIO()
    call_command("redact_text", stdin=io.StringIO(lines, newline=""), stdout=out)
    assert out.getvalue() == "反映人张**，电话138****5678\r\n没有个人信息的一行\n\n村民王**住西园村*组**号"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("钢筋工吴国祥说，项目部答应春节前结清", "钢筋工吴**说，项目部答应春节前结清"),
        ("开发商冯建军在未取得用地许可的情况下", "开发商冯**在未取得用地许可的情况下"),
        ("隔壁店主段红梅把油烟管道对着我家", "隔壁店主段**把油烟管道对着我家"),
        ("伯父石昌明去世后，责任田被转包", "伯父石**去世后，责任田被转包"),
        ("姐夫吴刚喝酒后经常打人", "姐夫吴**喝酒后经常打人"),
    ],
)
def test_names_after_role_and_kinship_words_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("杜海波在门口搭了个棚子。", "杜**在门口搭了个棚子。"),
        ("张桂兰今年七十六岁，子女不赡养她。", "张**今年七十六岁，子女不赡养她。"),
        ("王家贵和王家富是亲兄弟。", "王**和王**是亲兄弟。"),
    ],
)
def test_names_at_the_start_of_a_sentence_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("吴斌贵遭遇不公正对待。", "吴**遭遇不公正对待。"),  # jieba reads 遭遇 as a noun here
        ("张三欠我工资三个月，李四也欠。", "张**欠我工资三个月，李**也欠。"),  # placeholders are names too
        ("带头的是吴老四，杨二妹也去了。", "带头的是吴**，杨**也去了。"),  # surname and birth order
        ("我们村李明华家的房子漏雨。", "我们村李**家的房子漏雨。"),  # a home's place before the name
        ("三组王德富家的牛丢了。", "三组王**家的牛丢了。"),
        ("由孙立新负责拆除，被王建国打伤。", "由孙**负责拆除，被王**打伤。"),  # after a preposition
        ("代课教师宁学军教了二十年书。", "代课教师宁**教了二十年书。"),  # jieba's 宁学|军教
    ],
)
def test_names_without_a_cue_word_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "把杨柳砍了，又把古树砍了。",  # after a preposition a one-character verb is not part of a name
        "房子被高速公路占了，由于资金没到位，工程停了。",
        "被安置到王司镇，由马场坪街道负责。",
        "周三开会，高三学生压力大，主张三点意见。",  # 周三, 高三 and 张三点 are no placeholder names
        "我们村高速公路修好了，我们组石头太多。",
        "王老五寨在山上。",  # a nickname followed by a place's suffix is a place
    ],
)
def test_prepositions_homes_and_nicknames_do_not_make_words_names(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "王佑镇的村民反映，石料厂爆破震裂了房屋墙体。",  # a piece of a place name of the region
        "利民工程，坚决反对利民工程变身害民工程",  # 民工 is no cue inside 移民工程
        "我在湖南长沙县星沙恒大小区打工，边装修边招生",  # rare surnames need a cue
        "路产路权受到侵害，公路管理部门应当依法处理。",
        "宁可少赚一点，也不能坑害老百姓。",
        "请易书记管一下，谭书记连着几天打的上班",  # a title after a surname is a form of address
        "收费高昂（最低收费为600元），5月20日左右与对方达成协议",
        "他们有关人员关系甚好，在劳动用工方面违反劳动法",
    ],
)
def test_words_and_place_pieces_are_not_names(text: str) -> None:
    assert redact(text) == text


def test_the_whole_test_set_meets_the_targets() -> None:
    scores = score(load(), redactions)
    assert scores.recall("phone") == 1.0, scores.failures
    assert scores.recall("id") == 1.0, scores.failures
    assert scores.recall("name") >= NAME_RECALL, scores.failures
    assert scores.kept_words >= KEPT and scores.kept_chars >= KEPT


@pytest.mark.parametrize("part", ["dev", "held_out", "held_out_2", "held_out_3", "held_out_4"])
def test_each_part_of_the_set_meets_the_name_target(part: str) -> None:
    # held_out_3 was first measured at 0.698 and held_out_4 at 0.913, before the rules each prompted
    # (docs/benchmarks.md); the figures asserted here are after them, so no longer estimates for unseen text.
    scores = score(load(part), redactions)
    assert scores.recall("name") >= NAME_RECALL, scores.failures
    assert scores.recall("phone") == 1.0 and scores.recall("id") == 1.0, scores.failures
