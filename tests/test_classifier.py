"""What a resident or staff member sees: the label, the urgent flag, learning from corrections."""

from pathlib import Path

import pytest

from bot.classifier import LABELS, Classification, Classifier, Example
from bot.lexicon import DEFAULT_PATH, LexiconError, load_lexicon
from tests.conftest import minimal_lexicon


def label(clf, text):
    return clf.classify(text).label


@pytest.mark.parametrize(
    "text, expected",
    [
        # the issue's own examples
        ("驿站几点开门", "faq"),
        ("想申请法律援助", "service"),
        ("好的收到", "other"),
        ("👍", "other"),
        ("没事了，已经好了", "other"),
        # TAXONOMY rule 4: receive a service vs ask about a station
        ("帮我办医保卡", "service"),
        ("有没有免费的心理热线", "service"),
        ("哪里可以借轮椅用一下", "faq"),
        ("手机快没电了 附近哪能充个电", "faq"),  # a flat phone battery is no power cut
        ("红帆驿站在哪里", "faq"),
        ("怎么申请低保", "service"),
        ("三方会议是每个月几号", "faq"),
        ("我们楼的楼栋长是谁", "faq"),
        # ordinary reports
        ("电梯坏了三天了", "property"),
        ("楼道灯不亮了", "property"),
        ("物业费收得太贵了", "property"),
        ("楼下广场舞太吵了", "grid"),
        ("有人冒充社区工作人员上门骗钱", "grid"),
        ("楼道里有人给电动车充电", "grid"),
        ("谢谢你们，修得很快", "other"),
        ("大家好", "other"),
        ("测试一下", "other"),
    ],
)
def test_labels(clf, text, expected):
    assert label(clf, text) == expected


def test_rule1_manhole_inside_vs_outside(clf):
    assert label(clf, "小区里面的井盖松了") == "property"
    assert label(clf, "小区外面马路上的井盖没了") == "grid"


def test_rule2_leak_repair_vs_mediation(clf):
    assert label(clf, "楼上漏水到我家了，麻烦物业来修一下") == "property"
    assert label(clf, "楼上漏水，他家不开门也不肯赔，请社区帮忙调解") == "grid"
    flood = clf.classify("楼上水哗哗的往我家淌")  # water pouring in from above: a leak, and urgent
    assert flood.label == "property" and flood.urgent


def test_rule3_fire_lane_blocked_by_equipment_vs_vehicles(clf):
    assert label(clf, "物业装的地锁把消防通道挡住了") == "property"
    assert label(clf, "好几辆车乱停把消防通道堵了") == "grid"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("電梯壞了好幾天", "property"),  # traditional
        ("dianti huai le", "property"),  # toneless pinyin
        ("diàntī huài le", "property"),  # tone marks
        ("5号楼电题坏了", "property"),  # homophone typo 电题 → 电梯
        ("厨房顶上漏睡", "property"),  # 漏睡 → 漏水
        ("俺家楼道灯咋又不亮了", "property"),  # dialect
        ("the lift is broken again", "property"),  # English
        ("too much noise from the bar downstairs at night", "grid"),
        ("I want to apply for legal aid", "service"),
        ("thanks!", "other"),
    ],
)
def test_scripts_typos_and_languages(clf, text, expected):
    assert label(clf, text) == expected


def test_a_homophone_typo_does_not_steal_the_next_word(clf):
    """还在楼上 is someone upstairs, not 还在漏 (still leaking); an alarm typed the same way still counts."""
    result = clf.classify("楼道全是烟 孩子还在楼上")
    assert result.urgent and result.label == "grid"
    assert "还在漏" not in result.matched
    assert clf.classify("孩子找不倒了").urgent  # 找不倒 → 找不到, though 倒了 is a word


def test_a_particle_does_not_anchor_a_two_character_typo(clf):
    """挖的沟 is a ditch, not 的狗 (a dog); 着活了 is still 着火了."""
    assert "的狗" not in clf.classify("换管子挖的沟没围挡 晚上看不清").matched
    assert clf.classify("楼下饭店着活了 烟好大").urgent


@pytest.mark.parametrize(
    "text",
    ["没事了，已经修好了", "不用来了，已经解决了，谢谢", "电梯没坏，是我按错了", "mei shi le, yijing hao le", "已經好了，謝謝"],
)
def test_negation_and_closure_are_not_problems(clf, text):
    assert label(clf, text) == "other"


def test_reopened_problem_is_a_problem(clf):
    assert label(clf, "上周说修好了，结果电梯又坏了") == "property"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("楼上漏水已经修好了 我家墙皮泡坏了 谁来补一下", "property"),  # the leak is over, the wall is not
        ("昨晚门口打架的事现在没事了 能不能晚上多巡逻", "grid"),
        ("我爸的事已经处理好了 谢谢 想给他申请老年助餐", "service"),
        ("电梯已经修好了 能不能以后提前贴个停梯通知", "property"),
        ("水管修好了 但天花板的水印子还没补", "property"),  # the repair is done, what it left is not
        ("昨晚打架的事现在没事了 就是希望晚上多巡逻几趟", "grid"),
    ],
)
def test_a_closure_followed_by_a_further_ask_is_that_ask(clf, text, expected):
    assert label(clf, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "电梯困人了，快来",
        "楼道里着火了",
        "单元里一股煤气味",
        "楼上水管爆了，家里全是水",
        "电箱冒火花了",
        "楼下有人打架还拿着刀",
        "我妈在家摔倒了起不来",
        "有人掉河里了",
        "楼上往下扔花盆差点砸到人",
        "大树倒了压在电线上",
        "隔壁独居老人好几天没出门了，敲门没人应",
        "zhao huo le",
        "someone is trapped in the lift",
        "strong gas smell in the stairwell",
        "樓道裡冒煙了",
        "对面楼冒出好大的火",  # no listed phrase: 火 near 好大 in one clause
        "隔壁独居老人电话打不通，敲门也没人开门",
    ],
)
def test_urgent(clf, text):
    assert clf.classify(text).urgent, text


@pytest.mark.parametrize(
    "text",
    [
        "消防演练什么时候开始",
        "灭火器过期了",
        "燃气费怎么交",
        "今晚吃火锅",
        "没有着火，是邻居在烧菜",
        "cars parked in the fire lane again",
        "电梯坏了",
        "大家好",
        "闻到煤气味应该打哪个电话？先问问，以防万一",
        "他一听就发火了",
        "上次电梯困人的事处理了吗",
    ],
)
def test_not_urgent_look_alikes(clf, text):
    assert not clf.classify(text).urgent, text


def test_urgent_is_independent_of_label(clf):
    assert clf.classify("电梯困人了").label == "property"
    assert clf.classify("路上有人打架").label == "grid"


def test_result_shape(clf):
    result = clf.classify("电梯坏了")
    assert isinstance(result, Classification)
    assert result.label == "property" and result.subcategory == "property.elevator"
    assert result.confident and 0 < result.confidence <= 1
    assert "电梯" in result.matched or "电梯坏了" in result.matched
    assert result.runner_up is None or result.runner_up in LABELS
    assert result.as_dict("电梯坏了")["text"] == "电梯坏了"


def test_unknown_text_is_other_and_not_confident(clf):
    result = clf.classify("这件事情我琢磨了很久还是想跟各位说道说道清楚明白")
    assert result.label == "other" and not result.confident


def test_with_examples_changes_a_later_result(clf):
    text = "小区东门那个石狮子歪了"
    before = clf.classify(text)
    learned = clf.with_examples([Example(text, "property", "property.building")])
    assert learned.classify(text).label == "property"
    assert learned.classify("小区东门石狮子歪了").label == "property"  # similar wording too
    assert clf.classify(text) == before  # the original is unchanged
    urgent = clf.with_examples([Example("楼顶的广告牌晃得厉害", "property", None, urgent=True)])
    assert urgent.classify("楼顶的广告牌晃得厉害").urgent


def test_lexicon_loads_by_default():
    assert load_lexicon().urgent.terms
    assert Classifier.load(DEFAULT_PATH).classify("电梯坏了").label == "property"


def test_lexicon_rejects_undocumented_duplicate(tmp_path: Path):
    path = tmp_path / "lexicon.toml"
    path.write_text(minimal_lexicon() + '[grid.b]\nterms = ["property词0"]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="property词0"):
        load_lexicon(path)


def test_lexicon_accepts_documented_shared_term(tmp_path: Path):
    path = tmp_path / "lexicon.toml"
    shared = '[[shared]]\nterm = "井盖"\nplaces = ["property.a", "grid.a"]\nreason = "小区内归物业，马路上归网格"\n'
    path.write_text(minimal_lexicon(shared) + '[property.b]\nterms = ["井盖"]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="井盖"):  # listed in property.b, not a declared place
        load_lexicon(path)
    path.write_text(minimal_lexicon(shared), encoding="utf-8")
    clf = Classifier.load(path)
    assert clf.classify("井盖").label in {"property", "grid"}


def test_lexicon_errors_are_clear(tmp_path: Path):
    path = tmp_path / "lexicon.toml"
    path.write_text("not = [valid", encoding="utf-8")
    with pytest.raises(LexiconError, match="TOML"):
        load_lexicon(path)
    path.write_text(minimal_lexicon().replace("[other.a]", "[other.a]\nwieght = 2"), encoding="utf-8")
    with pytest.raises(LexiconError, match="wieght"):
        load_lexicon(path)
    with pytest.raises(LexiconError):
        load_lexicon(tmp_path / "missing.toml")


def test_with_examples_rejects_unknown_label(clf):
    with pytest.raises(ValueError, match="wrong"):
        clf.with_examples([Example("随便", "wrong")])


@pytest.mark.parametrize(
    "text",
    [
        "厨房燃气灶那边一股臭鸡蛋味",
        "家里煤气表那嘶嘶响",
        "ran qi xie lou le",
        "my kitchen smells of gas",
        "电梯卡在8楼和9楼中间 我妈在里面",
        "dian ti li you ren chu bu lai",
        "卫生间的管子裂了 水一直喷",
        "有个小孩摸了路灯杆被电了一下",
        "大树倒了压在电线上",
        "两个人打起来了 满地是血",
        "奶奶在卫生间滑倒了 叫她没反应",
        "我爷爷有老年痴呆 早上出去到现在没找着",
        "有个男的在河边哭 说要跳河",
        "孩子一个人被锁在车里了",
        "老人家里一氧化碳中毒了",
        "a kid fell into the pond",
        "my husband says he wants to kill himself",
    ],
)
def test_urgent_phrasings_across_styles(clf, text):
    assert clf.classify(text).urgent, text


@pytest.mark.parametrize(
    "text",
    [
        "插座松了 没冒烟 就是接触不好",  # a negated half of a `near` pair
        "我爸前两天晕倒过一次 现在好了 想预约体检",  # 晕倒过: an experience, not now
        "听说隔壁小区前年着过火",
        "不是着火 是邻居在熏肉 别打119",  # 火是 is no typo of 火势; 别打119
        "shang zhou zhao huo na jia",  # typed pinyin past (上周) cancels typed pinyin cues
        "这家火锅店生意太火了",
        "我家狗走丢了 谁看见了告诉我",
        "燃气报警器在哪里领取",
        "河边的护栏太矮 怕有人掉下去",
        "污水漫到人行道上了",
        "The fire drill is next Tuesday",
        "The smoke alarm keeps chirping, battery is low",
    ],
)
def test_not_urgent_lookalikes(clf, text):
    assert not clf.classify(text).urgent, text


def test_past_word_does_not_cancel_an_ongoing_danger(clf):
    assert clf.classify("昨天开始漏煤气还在漏").urgent


@pytest.mark.parametrize(
    "text, expected",
    [
        ("小区门口有人拿着刀", "grid"),  # 小区门口 is a place, not the compound gate (门禁)
        ("燃气费在哪交", "faq"),
        ("小区里面的路坑坑洼洼", "property"),
        ("外面马路坑坑洼洼", "grid"),
        ("物业装的升降地桩把消防通道挡了", "property"),
        ("有人在广场上晕过去了", "grid"),
    ],
)
def test_location_and_question_cues(clf, text, expected):
    assert label(clf, text) == expected


# ---------------------------------------------------------------- second chances for unseen phrasings
@pytest.mark.parametrize(
    "text",
    [
        "救命!!",  # a bare cry
        "sos",
        "煤气!! 3单元",  # a danger word and two exclamation marks
        "🆘 5栋",  # an alarm emoji alone
        "😱🔥 7号楼",  # two different alarm emoji in a short message
        "有人晕倒了 快来",
        "刀 快来 2号楼门口",  # a danger word and an alarm marker in one clause
        "好大的烟 快跑",
        "这次不是演习 真的着火了",  # a negated drill does not cancel
        "老爷子突然说不出话 嘴歪了",  # stroke signs
        "隔壁一股怪味 我头晕想吐",
        "电梯停在两层中间 里面有老人",
        "暖气管爆了 水哗哗往外喷",
        "俺爹不见了 找了一晚上没找着",
        "孩子找不倒了",  # homophone typo inside a `near` word
        "有人往楼道泼汽油",
        "楼上往下扔砖头",
        "树枝断了挂在高压线上",
        "大爷 摔 台阶 血 好多 快快 5 栋",  # telegraphic fragments: the alarm marker covers the message
        "对门着火了 烟老大了 俺出不去",  # dialect 老大 for 很大
        "娃在窗台护栏上站着 家里没人",
        "🌊💧 2-301 水管",  # water emoji in a short message
        "地库水往里灌 车还在下面",
        "这回不是误会 真有人被困在电梯里",  # a negated "misunderstanding" does not cancel
        "my dad is screaming for help in the bathroom, building 3",
    ],
)
def test_second_chance_urgent(clf, text):
    assert clf.classify(text).urgent, text


@pytest.mark.parametrize(
    "text",
    [
        "救命 这个表格怎么填",  # a weak cry with a benign word
        "快来人啊 驿站发鸡蛋",
        "这个活动太火了🔥🔥",  # praise, not fire
        "晚会太燃了🔥🔥🔥 💃",  # praise and a dancing emoji
        "冷得要冻死了 这鬼天气 😂",  # a joke emoji and no alarm
        "刚才有人喊着火了 原来是小孩在玩游戏",  # 原来是: it turned out to be nothing
        "要是半夜有人撬门 应该打110还是找保安",  # asking what to do if
        "上礼拜在小区摔了一跤 想问问医保咋报",  # dialect past
        "电动车充电桩什么时候装好",  # 被电 inside 电动车 is no electric shock
        "笑死我了😂😂",
        "晕 又停水了",
        "钱包掉了 谁捡到了",
        "小区车库出不去 车堵住了",
        "我爸摔了一跤 上周的事 现在好多了",  # resolved
        "厨房冒烟是我炒菜糊了 已经散了 没事了",
        "插座烧黑了 闸已经拉了 想找个电工",
        "老人走丢了怎么办 想了解一下防走失手环",
        "如果发现有人晕倒 是先打120还是先叫网格员",
        "楼下烧烤烟很大 能管管吗",
        "my neighbour smokes in the corridor every night",
        "the gas smell yesterday was from the restaurant",
        "附近工厂偷排废气 臭得人头疼",
        "升降梯不动了 老人爬不了楼",
    ],
)
def test_second_chance_does_not_fire_on_look_alikes(clf, text):
    assert not clf.classify(text).urgent, text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我妈在家摔倒了 叫不醒", "grid"),  # a person in danger at home: safety of residents
        ("孩子吃东西噎住了 脸都紫了", "grid"),
        ("有个人坐在天台边上 看着要跳", "grid"),
        ("物业你好 车位的事麻烦处理 另外地库里一股很冲的煤气味", "grid"),  # the danger decides
        ("电梯卡在两层中间 里面有人", "property"),  # compound equipment stays property
        ("楼上水管爆了 家里全是水", "property"),
        ("小区主路上的窨井盖被掀了 一个小孩掉下去了", "property"),  # 路上 inside 小区主路上 is not the street
        ("马路上的井盖没了 有个骑车的掉进去了", "grid"),
        ("车库里有人在撬我的电动车锁 还没走", "grid"),  # a theft under way is public order, not the garage's
        ("有个男的一直跟着我进了楼道 我不敢开门", "grid"),
        ("有个男的跟着小姑娘进了单元门 现在上楼了", "grid"),  # the door is the way he went, not what broke
        ("楼顶有个小伙子坐在边上 腿搭在外面", "grid"),
        ("路口积水齐腰 车熄火了 里面的人在拍窗户", "grid"),
        ("花坛里的马蜂窝掉下来了 一群马蜂追着小孩蛰", "property"),  # pests in common areas
        ("万一着火了 我们楼往哪边疏散", "faq"),  # asking what to do, not reporting
        ("烟花好美🎆🎆 新年快乐", "other"),
    ],
)
def test_urgent_and_hypothetical_labels(clf, text, expected):
    assert clf.classify(text).label == expected, text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("昨晚看新闻说邻市有栋楼电梯坠了 看得我心里发毛", "other"),  # news about elsewhere, nothing asked
        ("梦见咱家楼道里着大火 一身冷汗醒过来", "other"),
        ("三号楼的保洁大姐天天把楼道拖得锃亮 点个赞", "other"),
        ("上回停水多亏网格员挨家送水 大伙都记着呢", "other"),
        ("看新闻说邻市燃气爆炸了 咱们小区的燃气管能不能也查一查", "grid"),  # the story leads to an ask
        ("保洁大姐辛苦了 对了 5栋门口垃圾桶满了好几天没人收", "property"),  # praise, then another matter
        ("看新闻说邻市有楼的阳台塌了 我们楼阳台栏杆也锈穿了 趁早修修吧", "property"),  # a repair asked for
        ("谢谢保安大哥 昨天帮我把迷路的老爸送回来了", "other"),  # thanks for what was done
        ("谢谢楼长阿姨帮我妈拿药 太暖心了", "other"),  # 帮我 inside the thanks asks for nothing
        ("谢谢物业 上次修的水管又漏了", "property"),  # thanks, then the matter is back
        ("辛苦了 昨天报的路灯啥时候修", "property"),  # thanks, then an ask
        ("电梯坏了 谢谢物业", "property"),  # a courtesy closing a report is no frame
        ("3栋楼道灯不亮了 谢谢", "property"),
    ],
)
def test_news_dreams_and_praise_are_chat_unless_something_is_asked(clf, text, expected):
    assert clf.classify(text).label == expected, text


@pytest.mark.parametrize(
    "text, urgent",
    [
        ("对面楼有个男的抓着下水管 都过了二楼的窗户了 这会儿还在爬", True),  # the halves clauses apart, still going on
        ("去年有个小偷抓着下水管 都过了二楼的窗户了 后来摔下来被抓了", False),  # the same words, over and done
    ],
)
def test_a_danger_told_across_clauses_counts_while_it_goes_on(clf, text, urgent):
    assert clf.classify(text).urgent is urgent, text


def test_a_message_framed_as_chat_is_answered_as_chat(clf):
    result = clf.classify("昨晚看新闻说邻市有栋楼电梯坠了 看得我心里发毛")
    assert result.label == "other" and result.confident, result


def test_thanks_for_what_was_done_are_answered_as_thanks(clf):
    result = clf.classify("上回停水多亏网格员挨家送水 谢谢")
    assert (result.label, result.subcategory) == ("other", "other.thanks") and result.confident, result


@pytest.mark.parametrize(
    "text, expected",
    [
        ("新物业的电话有没有 旧的打不通了", "faq"),  # 通了 inside 打不通了 closes nothing
        ("谢谢网格员 那家群租的已经搬走了 现在清净多了", "other"),  # thanks for a matter that is over
        ("哎 物业费年年涨 工资不涨 就发发牢骚", "other"),  # a grumble that asks nothing
        ("俺不会打字 孙子帮俺打的 问大伙好", "other"),  # a greeting typed by a grandchild
    ],
)
def test_closures_grumbles_and_greetings(clf, text, expected):
    assert label(clf, text) == expected


@pytest.mark.parametrize(
    "text, urgent",
    [
        ("路过2号楼 5楼窗户往外冒黑烟 是不是着火了 赶紧看看", True),  # 是不是着火 asks, it does not deny
        ("有没有人受伤啊 楼下撞车了", True),
        ("楼下撞车了 没有人受伤", False),  # a plain denial still calms
        ("天这么热 还有人在楼道里充电瓶车 万一起火咋整", False),  # 还有人 does not keep 万一 from framing
        ("又有人往楼下扔东西 一个酒瓶子刚炸在我脚边 上面还在扔", True),
    ],
)
def test_questions_and_what_ifs_across_clauses(clf, text, urgent):
    assert clf.classify(text).urgent is urgent, text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("儿子晚上读书冇人睇 有冇功课辅导班", "service"),  # 有冇 before a noun asks, it denies nothing
        ("楼顶那个铁皮房 这不是违建吗", "grid"),  # a rhetorical 不是…吗 affirms
        ("前天走丢的那个老爷子找着了没", "grid"),  # asking whether it is over closes nothing
        ("前天走丢的那个老爷子找着了 谢谢大家", "other"),
        ("落雨就浸到膝头 门口条街", "grid"),  # Cantonese: 落雨 下雨, 浸到 淹到
        ("楼下天天有人打麻将打到半夜 吵得要出人命了", "grid"),  # 出人命 of a grumble carries no label
    ],
)
def test_dialect_questions_and_rhetoric(clf, text, expected):
    assert label(clf, text) == expected


def test_a_classifier_with_examples_keeps_every_index(clf):
    # the clone shares the original's indexes, so urgent rules that need one (English look-alikes) still work
    clone = clf.with_examples([Example("楼下那块空地老是有人倒垃圾", "grid")])
    for text in ("zhao huo le kuai lai ren", "Smoke coming from the lift shaft, the fire exit is locked",
                 "前天有人从楼上扔了个酒瓶 差点砸到我 麻烦查查是哪家", "有冇人可以帮下手 阿婆跌亲喺楼梯度"):
        assert clone.classify(text) == clf.classify(text), text
        assert clone._classify(text) == clone.classify(text)  # no exception hidden by the never-raise guard


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我妈在家摔倒了起不来 我在外地 谁能过去看看", "grid"),  # the danger words ask for no service
        ("我真的不想活了 有没有心理援助", "service"),
        ("电动车天天推进楼道充电 万一着了咋办", "grid"),  # a bare 咋办 is a worry about a hazard
        ("万一被困在电梯里该咋办", "faq"),  # 该咋办 asks what to do
        ("修好咧 谢谢师傅", "other"),  # north-western 咧
        ("热力公司说温度达标 可我家温度计才15度", "property"),
        ("物业电话老是打不通", "property"),
        ("修好了 咋给打分", "faq"),  # a question after a closure asks how the bot works
        ("报的事已经好了 咋撤回", "faq"),
        ("/help", "faq"),  # a lone bot command asks how the bot works
        ("/baoxiu 5栋单元门禁刷不开", "property"),  # a wrong command in front of a report
        ("物业电话打了一上午 人都去哪了", "property"),  # rhetorical, not a question about a place
        ("停车月租又涨了 还让不让人活", "property"),
        ("院里那棵树挂着枯枝 能不能锯了", "property"),
        ("对门那家还怼我 说楼道是他家的", "grid"),
        ("后巷的路灯坏了好几盏", "grid"),  # a back lane is outside the compound
        ("河涌边有人倒建筑垃圾", "grid"),
        ("外卖车老在路上逆行 吓死人", "grid"),
        ("劳动合同看不懂 想找人帮我看看", "service"),
        ("想搵份帮工 包食住", "service"),
        ("驿站的AED放哪了 有人倒了", "faq"),  # where a station thing is, asked while help is called
        ("驿站有甚服务 给说说", "faq"),  # Shanxi 甚: 什么
        ("想申請居住證 要帶甚麼材料", "service"),  # Traditional 甚麼 simplifies to 甚么
        ("这个机器人能干嘛", "faq"),
        ("楼下装的摄像头对着我家窗户 侵犯隐私", "grid"),
        ("平房那边炉灰倒得到处都是", "property"),
        ("暖气热了 谢谢师傅们", "other"),
    ],
)
def test_labels_of_phrasings_met_in_fresh_sets(clf, text, expected):
    """Phrasings of my own, written after fresh sets showed a kind of message going to the wrong label."""
    assert label(clf, text) == expected
