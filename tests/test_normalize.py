"""Normalisation: every way residents type the same thing ends up in the same form."""

import pytest

from bot.normalize import DIALECT_WORDS, clean, cn_to_int, load_dialect, normalize, term_keys


def test_full_width_case_and_traditional():
    assert clean("ＡＢＣ電梯壞了") == "abc电梯坏了"


def test_chat_forms_opencc_keeps_are_folded():
    # 著 is also Simplified, so OpenCC keeps it; Cantonese writes everyday words with its own characters
    assert normalize("他拿著刀").compact == "他拿着刀"
    assert normalize("部电梯停咗 佢喺入面出唔嚟").compact == "部电梯停了|他在里面出不来"


def test_dialect_words_become_standard_mandarin():
    # knowledge/dialect.toml: the lexicon is written in Mandarin and still meets every dialect
    assert clean("街口一落雨就浸到膝头") == "街口一下雨就淹到膝盖"
    assert clean("有人喺高层掟玻璃樽落嚟 仲喺度掟") == "有人在高层扔玻璃樽下来 还在扔"
    assert clean("暑假有冇得托管班") == "暑假有没有托管班"
    assert clean("上趟电梯关人") == "上次电梯关人"
    assert clean("係咪骗子") == clean("系唔系骗子") == "是不是骗子"
    assert clean("电悌卡住了 厨房媒乞味") == "电梯卡住了 厨房煤气味"  # handwriting input: look-alike characters


def test_dialect_table_leaves_mandarin_alone():
    for word in ("劳动仲裁", "关系不好", "食堂几点开", "希望社区出面协调", "拿砖头先压住", "郁闷", "日租房"):
        assert clean(word) == word


def test_dialect_table_is_stable():
    # a standard form never holds another dialect word, so cleaning twice changes nothing
    for word, standard in DIALECT_WORDS.items():
        assert clean(standard) == standard, word
        assert clean(clean(word)) == clean(word)


def test_zero_width_and_control_characters_vanish():
    assert normalize("好的\u200b收\u200d到\x07\ufeff").compact == "好的收到"


def test_punctuation_separates_and_emoji_are_counted():
    n = normalize("电梯！！坏了👍👍")
    assert n.compact == "电梯|坏了"
    assert n.emoji == 2


def test_building_numbers_compare_equal():
    assert clean("三号楼") == clean("3号楼") == clean("3栋") == clean("三幢") == "3号楼"
    assert clean("十二单元") == "12单元"
    assert cn_to_int("一百零五") == 105 and cn_to_int("二十") == 20 and cn_to_int("二〇") == 20


def test_tone_marks_are_stripped_from_pinyin():
    assert normalize("diàntī").latin[0][0] == normalize("dianti").latin[0][0] == "dianti"


def test_homophones_share_syllables():
    assert normalize("电题").syllables == normalize("电梯").syllables
    assert normalize("漏睡").syllables == normalize("漏水").syllables


def test_typed_pinyin_keeps_word_boundaries():
    run, starts, ends = normalize("dianti huai le").latin[0]
    assert run == "diantihuaile" and 6 in starts and 6 in ends


def test_term_keys_include_phrase_reading():
    _compact, sylls, latin = term_keys("着火")
    assert "zaohuo" in latin  # 着 read zhao in 着火, as residents type it


def test_empty_and_odd_inputs():
    for text in ["", " ", "\x00", "🙂", "\u200b" * 5, "a" * 5000]:
        normalize(text)


def test_space_between_chinese_words_is_a_clause_break():
    # residents often type a space where a comma belongs; English and pinyin keep their spaces
    assert normalize("不是着火 是在熏肉").compact == "不是着火|是在熏肉"
    assert normalize("zhao huo le").compact == "zhaohuole"


def test_a_broken_dialect_table_is_named(tmp_path):
    bad = tmp_path / "dialect.toml"
    bad.write_text('[chars]\n"落雨" = "下雨"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="落雨"):
        load_dialect(bad)
    bad.write_text("[words\n", encoding="utf-8")
    with pytest.raises(ValueError, match="读不了"):
        load_dialect(bad)
