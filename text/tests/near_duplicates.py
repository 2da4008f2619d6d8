"""A near-duplicate set for the similarity of appeals, written for Zoufang in the style of appeals.

Each group is one problem at one place, told two or three times: the first registration, a paraphrase (the
same facts in other words), a reworded title, or the same problem from another reporter who saw it from their
side. The hard negatives are look-alikes that are different problems: the same place with another problem,
the same problem at another place, the same kind of problem with another party or object (another company,
another road), or the same words about a problem that was solved and one that is new. Every text of a group is a
duplicate of every other text of its group, and of nothing else.

Place names are of 黔南州; people and companies are invented. Inspired by nothing but the kinds of messages
public complaint lines receive; no sentence is taken from a data set.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str  # group-variant, e.g. "g01-a"; negatives are "n01" and name no group
    group: str  # the problem it tells; negatives have a group of their own
    kind: str  # original, paraphrase, title, reporter, negative
    county: str  # the area the lookup is confined to (6-digit code)
    category: str
    title: str
    description: str


DUYUN, FUQUAN, HUISHUI, WENGAN = "522701", "522702", "522731", "522725"

_GROUPS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "g01",
        DUYUN,
        "labour.wage_arrears",
        [
            (
                "original",
                "墨冲镇良亩村12名农民工在凯旋名城工地被拖欠工资8万元",
                "我们良亩村12个人去年5月起在凯旋名城三期工地做木工，包工头周某说工程款没到位，至今拖欠工资共计8万元，快过年了请政府帮忙讨薪。",
            ),
            (
                "paraphrase",
                "凯旋名城三期包工头欠良亩村木工工钱",
                "良亩村的十二名木工在凯旋名城三期干活大半年，工资八万元一直没结，包工头姓周，总推说开发商没给钱，请人社局帮我们要回血汗钱。",
            ),
            (
                "reporter",
                "反映凯旋名城工地欠薪",
                "我是和良亩村老乡一起在凯旋名城三期做木工的，12个人的工资8万多元被包工头周某拖着不给，马上春节了，希望尽快处理。",
            ),
        ],
    ),
    (
        "g02",
        DUYUN,
        "urban.street_lights",
        [
            (
                "original",
                "剑江中路沿河步道路灯不亮",
                "剑江中路沿河步道从百子桥到西山大桥一段的路灯已经坏了一个多月，晚上散步的老人小孩很多，黑灯瞎火容易摔倒，请尽快修复。",
            ),
            (
                "title",
                "百子桥至西山大桥河边步道夜间无照明",
                "剑江中路沿河步道路灯坏了一个多月，百子桥到西山大桥这段晚上一片漆黑，散步的老人小孩容易摔倒，请尽快修复。",
            ),
            (
                "paraphrase",
                "河边步道一到晚上就黑漆漆的",
                "百子桥往西山大桥方向的沿河步道，路灯一个多月都不亮了，每天晚上锻炼的人多，看不清路，已经有老人绊倒，希望城管部门修一下。",
            ),
        ],
    ),
    (
        "g03",
        DUYUN,
        "environment.noise",
        [
            (
                "original",
                "绿茵湖一小区旁工地夜间施工噪音扰民",
                "绿茵湖街道碧桂园小区旁边的工地每天晚上十一点以后还在打桩，噪音很大，小区居民无法休息，孩子第二天还要上学，请环保部门查处。",
            ),
            (
                "reporter",
                "碧桂园小区业主反映工地半夜打桩",
                "我家住碧桂园小区，隔壁工地连续一周半夜打桩施工，吵得全家睡不着觉，打12345也没人管，请生态环境局来夜查。",
            ),
            (
                "paraphrase",
                "深夜打桩影响碧桂园居民休息",
                "绿茵湖碧桂园旁的建筑工地晚上十一点后仍然打桩作业，声音震耳，居民整夜不能入睡，要求依法制止夜间施工。",
            ),
        ],
    ),
    (
        "g04",
        DUYUN,
        "land.boundary",
        [
            (
                "original",
                "沙包堡街道新场村两组山林地界纠纷",
                "新场村三组和四组因为后山一片杉木林的地界发生争执，双方各执一词，四组村民已经砍了十几棵树，三组村民扬言要去阻拦，请尽快调处。",
            ),
            (
                "paraphrase",
                "新场村三组四组为后山杉木林地界争执",
                "新场村三、四组对后山杉木林的边界说法不一，四组砍伐了十多棵杉树，三组群众很气愤准备上山阻止，矛盾有激化风险，请司法所调解。",
            ),
            (
                "title",
                "后山杉木林被砍引发两个村民组矛盾",
                "新场村三组和四组后山杉木林地界不清，四组村民砍了十几棵树，三组村民扬言阻拦，双方争执不下，请尽快调处。",
            ),
        ],
    ),
    (
        "g05",
        DUYUN,
        "utilities.water",
        [
            (
                "original",
                "小围寨街道剑南社区连续三天停水",
                "剑南社区从周一开始停水已经三天，没有任何通知，居民只能去外面买桶装水，老人做饭洗澡都成问题，请自来水公司说明原因尽快恢复供水。",
            ),
            (
                "reporter",
                "剑南社区停水三天无人通知",
                "我们剑南社区这几天一直没水，问物业说不知道，自来水公司电话打不通，家里有瘫痪老人，急需用水，请帮忙协调。",
            ),
        ],
    ),
    (
        "g06",
        FUQUAN,
        "transport.road",
        [
            (
                "original",
                "牛场镇至道坪镇公路塌方多日未清理",
                "牛场镇往道坪镇的县道在双龙村路段上周下大雨塌方，一半路面被泥石堵住，至今没人清理，过往车辆只能单边通行，很危险。",
            ),
            (
                "paraphrase",
                "双龙村路段县道塌方一周没人管",
                "上周大雨后，牛场去道坪那条县道双龙村附近山体滑坡，泥土石头占了半幅路面，一个星期了还没有清，车子错车非常危险，请交通部门处理。",
            ),
            (
                "title",
                "县道双龙段泥石堵路车辆单边通行",
                "牛场镇往道坪镇县道双龙村路段上周大雨塌方，一半路面被泥石堵住，至今没人清理，车辆只能单边通行，很危险。",
            ),
        ],
    ),
    (
        "g07",
        FUQUAN,
        "social.pension",
        [
            (
                "original",
                "马场坪街道一老人养老金连续两月未到账",
                "我父亲今年七十二岁，住马场坪街道黄丝社区，城乡居民养老金从上个月起就没有到账了，去信用社查也没有，社保窗口说要等，请帮忙查一下原因。",
            ),
            (
                "paraphrase",
                "黄丝社区七旬老人两个月没收到养老金",
                "黄丝社区一位72岁老人，城乡居民基本养老金已经两个月没发到卡上，家属去信用社和社保窗口问了几次都说不清楚，希望人社部门核查。",
            ),
        ],
    ),
    (
        "g08",
        FUQUAN,
        "market.food_safety",
        [
            (
                "original",
                "金山街道农贸市场出售注水猪肉",
                "金山街道农贸市场东门第三个摊位卖的猪肉明显注过水，买回家一炒全是水，称重也不足，请市场监管局去检查。",
            ),
            (
                "reporter",
                "农贸市场东门肉摊猪肉注水缺斤短两",
                "今天在金山农贸市场东门那家肉摊买了三斤肉，回家一称只有两斤六两，肉还往外渗水，怀疑是注水肉，请市场监管部门查处。",
            ),
            (
                "paraphrase",
                "金山农贸市场东门摊位猪肉疑似注水",
                "金山街道农贸市场东门进去第三家肉摊，猪肉下锅出很多水，分量也不够秤，怀疑注水，请市场监督管理局抽检。",
            ),
        ],
    ),
    (
        "g09",
        FUQUAN,
        "education.school",
        [
            (
                "original",
                "龙昌镇中心小学校车超载",
                "龙昌镇中心小学接送学生的面包车每天早上塞了十五六个孩子，核载只有七人，山路又弯又窄，家长都很担心，请交警和教育局管一管。",
            ),
            (
                "paraphrase",
                "龙昌中心小学接送车塞十几个学生",
                "龙昌镇中心小学的接送面包车核定七座，每天却装十五六名学生走山路，一旦出事后果不堪设想，请教育和交警部门尽快整治。",
            ),
            (
                "title",
                "七座面包车天天拉十几个小学生",
                "龙昌镇中心小学接送学生的面包车核载七人，每天早上塞了十五六个孩子，山路又弯又窄，家长都很担心，请交警和教育局管一管。",
            ),
        ],
    ),
    (
        "g10",
        HUISHUI,
        "agriculture.subsidy",
        [
            (
                "original",
                "好花红镇百鸟河村耕地地力保护补贴未发放",
                "百鸟河村今年的耕地地力保护补贴到现在还没有发，别的村都领到了，问村里说镇上没拨下来，请核实补贴是否被截留。",
            ),
            (
                "reporter",
                "百鸟河村村民反映今年耕地补贴没领到",
                "我是百鸟河村的，今年种了六亩地，耕地地力保护补贴一分没收到，隔壁村早就发了，村干部说还没拨款，希望上级查一查。",
            ),
            (
                "paraphrase",
                "百鸟河村耕地地力补贴迟迟不到位",
                "好花红镇百鸟河村全村的耕地地力保护补贴今年至今未到账，邻村已经发放，村委会推说镇里没拨，群众怀疑被挪用，请农业农村局核查。",
            ),
        ],
    ),
    (
        "g11",
        HUISHUI,
        "urban.garbage",
        [
            (
                "original",
                "涟江街道幸福社区垃圾堆放一周无人清运",
                "幸福社区菜场后面的垃圾池已经满出来一个星期了，没人来拉，天气热臭味很大，苍蝇蚊子多，请环卫部门尽快清运。",
            ),
            (
                "paraphrase",
                "幸福社区菜场后垃圾池满溢发臭",
                "涟江街道幸福社区菜市场背后的垃圾池堆满了垃圾，七八天没有清运，臭气熏天，周边住户窗户都不敢开，请尽快安排环卫车拉走。",
            ),
        ],
    ),
    (
        "g12",
        HUISHUI,
        "family.dispute",
        [
            (
                "original",
                "濛江街道兄弟二人因老宅分割发生纠纷",
                "濛江街道同心社区王家兄弟两人为父母留下的老宅怎么分吵了半年，最近哥哥把弟弟的东西扔出门，两人动了手，老母亲夹在中间很难受，请社区调解。",
            ),
            (
                "reporter",
                "同心社区王家兄弟为老房子动手",
                "我是同心社区王家的老母亲，两个儿子为分老房子闹了半年，前几天大儿子把小儿子的东西丢出去还打了起来，求社区和派出所帮忙调解。",
            ),
            (
                "title",
                "父母老宅怎么分兄弟俩吵了半年",
                "濛江街道同心社区王家兄弟为父母留下的老宅分割争吵半年，最近哥哥把弟弟的东西扔出门，两人动了手，请社区调解。",
            ),
        ],
    ),
    (
        "g13",
        HUISHUI,
        "health.clinic",
        [
            (
                "original",
                "断杉镇卫生院夜间无医生值班",
                "断杉镇卫生院晚上经常没有医生值班，上周我家孩子半夜发高烧去看病，敲了半天门没人，只好连夜开车去县医院，请卫健局整改。",
            ),
            (
                "paraphrase",
                "断杉卫生院半夜看病找不到医生",
                "孩子深夜高烧送到断杉镇卫生院，值班室没有人，打电话也没人接，最后只能跑县城医院，希望卫生健康部门落实夜间值班制度。",
            ),
        ],
    ),
    (
        "g14",
        WENGAN,
        "housing.repair",
        [
            (
                "original",
                "雍阳街道安置小区房屋漏水",
                "雍阳街道城南安置小区5栋顶楼一下雨就漏水，墙面发霉，找开发商和物业都互相推诿，住了两年修了三次都没修好，请住建局督促维修。",
            ),
            (
                "reporter",
                "城南安置小区5栋顶楼漏雨",
                "我住城南安置小区5栋七楼，每逢下雨天花板就滴水，墙都长霉了，物业说是开发商的事，开发商说过了保修期，请住建部门主持公道。",
            ),
            (
                "paraphrase",
                "城南安置房5栋顶层下雨漏水多次维修无果",
                "雍阳街道城南安置小区五栋顶层住户家中雨天渗漏，墙体霉变，两年内维修三次仍漏，物业和开发商推来推去，请住房城乡建设局督促整改。",
            ),
        ],
    ),
    (
        "g15",
        WENGAN,
        "labour.wage_arrears",
        [
            (
                "original",
                "猴场镇茶叶加工厂拖欠采茶工工资",
                "猴场镇兴隆茶叶加工厂今年春茶季请了我们三十多个采茶工，说好按斤计价月底结，现在两个多月了还欠四万多元，老板一直躲着不见。",
            ),
            (
                "paraphrase",
                "兴隆茶厂欠三十多名采茶工四万元",
                "猴场兴隆茶叶加工厂拖欠春茶季三十余名采茶工的工钱共四万余元，约定月底结算已过去两个月，老板避而不见，请劳动监察大队介入。",
            ),
            (
                "reporter",
                "在兴隆茶厂采茶的工钱拿不到",
                "我和村里几十个妇女春天在猴场镇兴隆茶厂采茶，工钱按斤算，到现在两个月了一共欠四万多块，打老板电话不接，请帮我们讨回来。",
            ),
        ],
    ),
    (
        "g16",
        WENGAN,
        "transport.bus",
        [
            (
                "original",
                "瓮安县城至玉山镇班车随意停运",
                "县城到玉山镇的客运班车最近经常不按时刻表发车，有时一上午都没有车，学生周末回家和老人看病都很不方便，请交通运输局规范管理。",
            ),
            (
                "paraphrase",
                "玉山镇班车经常一上午不发车",
                "从瓮安县城开往玉山镇的班车近来时常停开，不按时刻表运行，周末返家的学生和进城看病的老人常常等不到车，希望交通部门督促客运公司。",
            ),
        ],
    ),
    (
        "g17",
        DUYUN,
        "fraud.prevention",
        [
            (
                "original",
                "广惠社区老人被冒充客服骗走积蓄",
                "广惠社区一位七十岁的老人接到自称快递客服的电话，说包裹丢了要理赔，按对方指示下载软件共享屏幕，卡里三万多元被转走，请公安机关追查。",
            ),
            (
                "reporter",
                "我母亲接到假快递客服电话被骗三万",
                "我妈住广惠社区，前天接到说是快递客服的电话要给她理赔，让她下了个软件开屏幕共享，结果银行卡里三万多块钱没了，已经报警，请加快侦办。",
            ),
        ],
    ),
    (
        "g18",
        FUQUAN,
        "environment.pollution",
        [
            (
                "original",
                "陆坪镇采石场粉尘污染农田",
                "陆坪镇福兴村后面的采石场天天放炮碎石，粉尘飘到周围的稻田和菜地，叶子上一层白灰，庄稼长不好，村民晒的衣服也脏了，请环保部门检查。",
            ),
            (
                "paraphrase",
                "福兴村采石场灰尘盖满庄稼",
                "福兴村旁的采石场爆破碎石扬尘严重，附近稻田菜地的作物叶面全是石灰粉，长势很差，村民家里也落满灰，要求生态环境部门督促整改。",
            ),
            (
                "title",
                "采石场扬尘让福兴村稻田菜地蒙灰",
                "陆坪镇福兴村后面的采石场天天放炮碎石，粉尘飘到周围稻田和菜地，庄稼叶子上一层白灰长不好，请环保部门检查。",
            ),
        ],
    ),
    (
        "g19",
        HUISHUI,
        "urban.illegal_building",
        [
            (
                "original",
                "濛江街道河滨小区一楼住户违建占用绿地",
                "河滨小区3栋一楼住户把楼下的公共绿地圈起来盖了一间砖房，还把下水管接到雨水管里，其他业主多次劝阻无效，请综合执法局拆除。",
            ),
            (
                "reporter",
                "河滨小区3栋楼下绿地被圈占盖房",
                "我是河滨小区业主，3栋一楼那户人家把公共绿化带圈起来砌了砖房，物业管不了，业主群里大家都很有意见，请城管执法部门处理违建。",
            ),
        ],
    ),
    (
        "g20",
        WENGAN,
        "education.fees",
        [
            (
                "original",
                "建中镇中学强制学生购买教辅资料",
                "建中镇中学开学时要求每个学生交两百元买教辅资料和练习册，说是自愿实际上不买就不发课本，家长负担重，请教育局查一查是否违规收费。",
            ),
            (
                "paraphrase",
                "建中中学变相强制征订教辅每人两百元",
                "建中镇中学以自愿为名让学生每人交两百元征订教辅和练习册，不交的不发教材，属于变相强制收费，请教育主管部门调查处理。",
            ),
            (
                "reporter",
                "孩子学校不买教辅不给发课本",
                "我孩子在建中镇中学读初二，开学老师说要交两百块买练习册，我们没交，老师就不发课本，请问这合理吗，请教育局管一下。",
            ),
        ],
    ),
]

# Look-alikes: (key, county, category, title, description, what makes it another problem)
_NEGATIVES: list[tuple[str, str, str, str, str, str]] = [
    (
        "n01",
        DUYUN,
        "labour.wage_arrears",
        "墨冲镇良亩村村民在桥梁工地被拖欠工资",
        "良亩村的6个村民在都匀至平塘高速的桥梁工地打零工，劳务公司拖欠工资3万元，说要等验收后才结算，请人社局督促支付。",
        "same village, same kind, another site and employer",
    ),
    (
        "n02",
        DUYUN,
        "urban.street_lights",
        "剑江中路沿河步道栏杆松动",
        "剑江中路沿河步道百子桥附近有一段护栏螺丝松了，一推就晃，小孩喜欢趴在上面看河，掉下去就危险了，请尽快加固。",
        "same place, another problem",
    ),
    (
        "n03",
        DUYUN,
        "urban.street_lights",
        "文峰园路路灯不亮",
        "文峰园路从文峰塔到体育馆一段路灯坏了半个月，晚上行人看不清路，请城管部门尽快修复。",
        "same problem, another street",
    ),
    (
        "n04",
        DUYUN,
        "environment.noise",
        "绿茵湖碧桂园小区广场舞音响太吵",
        "碧桂园小区中心广场每天晚上七点到十点跳广场舞，音响开得特别大，楼上住户孩子没法写作业，和领队沟通过没用，请社区协调降低音量。",
        "same estate, noise of another source",
    ),
    (
        "n05",
        DUYUN,
        "land.boundary",
        "新场村一组与二组水田灌溉用水纠纷",
        "新场村一组和二组共用一条水渠，今年天旱，一组在上游堵水，二组的水田灌不上，两边村民吵了好几次，请村委会调解分水。",
        "same village, another dispute between other groups",
    ),
    (
        "n06",
        DUYUN,
        "utilities.water",
        "剑南社区自来水浑浊发黄",
        "剑南社区这两天自来水放出来是黄色的，有股铁锈味，烧开了底下有沉淀，不敢喝，请自来水公司检测水质。",
        "same place, water of bad quality, not cut",
    ),
    (
        "n07",
        DUYUN,
        "utilities.water",
        "斗篷山路片区停水两天",
        "斗篷山路片区从昨天起停水，说是管道抢修，但一直没有恢复时间，餐馆都没法营业，请供水公司公布恢复时间。",
        "same problem, another area of the town",
    ),
    (
        "n08",
        FUQUAN,
        "transport.road",
        "牛场镇双龙村通组路年久失修坑洼不平",
        "双龙村到五组的通组路修了十几年，路面到处是坑，下雨天积水，摩托车经常摔倒，请交通部门安排硬化维修。",
        "same village, an old road in disrepair, not a landslide",
    ),
    (
        "n09",
        FUQUAN,
        "social.pension",
        "黄丝社区老人高龄补贴被停发",
        "黄丝社区一位八十五岁老人的高龄补贴从今年起停发了，民政所说是信息比对有问题，家属不知道要补什么材料，请民政部门说明。",
        "same place, another benefit and office",
    ),
    (
        "n10",
        FUQUAN,
        "market.food_safety",
        "金山农贸市场活禽摊位脏乱差",
        "金山街道农贸市场西门的活禽摊位鸡毛粪便遍地，污水直接流进下水道，臭味很重，请市场监管和卫生部门整治。",
        "same market, another stall and problem",
    ),
    (
        "n11",
        FUQUAN,
        "market.food_safety",
        "凤山镇超市出售过期牛奶",
        "凤山镇街上一家超市货架上的牛奶已经过期半个月还在卖，我买回去孩子喝了拉肚子，请市场监管局检查。",
        "food again, another town, shop and product",
    ),
    (
        "n12",
        FUQUAN,
        "education.school",
        "龙昌镇中心小学食堂饭菜分量不足",
        "龙昌镇中心小学营养午餐的饭菜量太少，孩子回家都喊饿，菜里很少见肉，请教育局核查营养改善计划资金使用情况。",
        "same school, another problem",
    ),
    (
        "n13",
        HUISHUI,
        "agriculture.subsidy",
        "百鸟河村生猪养殖补贴申请被拒",
        "百鸟河村我家今年养了四十头猪，申请生猪养殖补贴，镇农业服务中心说规模不够不予补助，但邻村同样规模的都批了，请农业农村局说明标准。",
        "same village, another subsidy, one household",
    ),
    (
        "n14",
        HUISHUI,
        "agriculture.subsidy",
        "摆金镇杨茂村耕地地力补贴未发放",
        "杨茂村今年的耕地地力保护补贴到现在还没发，问村里说还在核对面积，请农业农村局督促尽快发放。",
        "same problem, another village",
    ),
    (
        "n15",
        HUISHUI,
        "urban.garbage",
        "涟江街道幸福社区菜场污水横流",
        "幸福社区菜市场里面排水沟堵了，卖鱼卖菜的污水流得满地都是，又脏又滑，老人买菜摔了好几次，请市场管理方疏通排水沟。",
        "same place, drainage, not refuse",
    ),
    (
        "n16",
        HUISHUI,
        "family.dispute",
        "同心社区李家婆媳矛盾激化",
        "同心社区李家媳妇和婆婆长期不和，最近因为带孩子的事吵得很凶，媳妇带着孩子回了娘家，丈夫两头受气，请社区妇联帮忙调解。",
        "same community, another family and conflict",
    ),
    (
        "n17",
        HUISHUI,
        "health.clinic",
        "断杉镇卫生院药品价格比县城贵",
        "断杉镇卫生院同样的药比县城药店贵不少，一盒降压药贵了十几块，请卫健局和医保局检查药品价格。",
        "same clinic, another complaint",
    ),
    (
        "n18",
        WENGAN,
        "housing.repair",
        "城南安置小区电梯经常故障",
        "城南安置小区5栋的电梯一个月坏了四次，有一次还把人困在里面半小时，物业说没有维修资金，请住建部门和特种设备监管部门督促解决。",
        "same building, lift instead of leaks",
    ),
    (
        "n19",
        WENGAN,
        "housing.repair",
        "银盏镇安置房外墙瓷砖脱落",
        "银盏镇移民安置点2栋外墙瓷砖大面积脱落，已经砸坏了楼下的电动车，万一砸到人后果严重，请住建局督促施工单位整改。",
        "same kind of housing defect, another town and fault",
    ),
    (
        "n20",
        WENGAN,
        "labour.wage_arrears",
        "猴场镇服装厂拖欠工人工资",
        "猴场镇工业园一家服装厂拖欠二十多名缝纫工三个月工资，共计十二万元，厂里说订单款没收回，请劳动监察介入。",
        "same town, wage arrears of another factory",
    ),
    (
        "n21",
        WENGAN,
        "transport.bus",
        "瓮安县城至玉山镇班车票价上涨",
        "县城到玉山镇的班车票从十二元涨到了十八元，也没有公示，群众觉得涨得太多，请交通运输局和发改局核实是否合规。",
        "same route, fares instead of service",
    ),
    (
        "n22",
        DUYUN,
        "fraud.prevention",
        "广惠社区居民被刷单兼职骗走两万",
        "广惠社区一名年轻人在网上找兼职，对方让他先垫钱刷单说可以返佣金，前后被骗两万多元，请公安机关立案侦查。",
        "fraud in the same community, another scheme and victim",
    ),
    (
        "n23",
        FUQUAN,
        "environment.pollution",
        "陆坪镇福兴村养猪场粪水直排河沟",
        "福兴村一个养猪场把粪水直接排进旁边的小河沟，河水发黑发臭，下游村民洗菜洗衣都不敢用，请生态环境局查处。",
        "same village, pollution of another source",
    ),
    (
        "n24",
        HUISHUI,
        "urban.illegal_building",
        "河滨小区地下车库被改成仓库出租",
        "河滨小区的地下车库有一半被物业隔成小间当仓库出租，业主的车没地方停，占用消防通道，请住建和消防部门检查。",
        "same estate, another misuse",
    ),
    (
        "n25",
        WENGAN,
        "education.fees",
        "建中镇中学收取补课费",
        "建中镇中学周末组织初三学生集体补课，每人每月收三百元补课费，不参加的学生被老师点名，请教育局查处有偿补课。",
        "same school, another charge",
    ),
]


def items() -> list[Item]:
    """Every text of the set, originals, duplicates and look-alikes."""
    found = [
        Item(f"{group}-{chr(97 + i)}", group, kind, county, category, title, description)
        for group, county, category, variants in _GROUPS
        for i, (kind, title, description) in enumerate(variants)
    ]
    found.extend(
        Item(key, key, "negative", county, category, title, description)
        for key, county, category, title, description, _ in _NEGATIVES
    )
    return found
