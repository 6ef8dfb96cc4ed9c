"""What the program knows for a form field the model left empty: people by their position, the number that fits."""

from __future__ import annotations

from summarizer.forms import FormField, answer_model
from summarizer.grounding.fields import ground_field, ground_number
from summarizer.grounding.known import known_field
from summarizer.schema import FieldResult
from summarizer.text.candidates import fact_candidates
from summarizer.text.people import find_people, is_personal_name

EMPTY = FieldResult(value=None, status="not_in_article")
SECRETARY = FormField("secretary", "string", "Họ tên Bí thư Đảng ủy (Bí thư Đảng bộ), không kèm chức danh / Full name of the party committee secretary.")
MEMBERS = FormField("party_members", "integer", "Tổng số đảng viên của đảng bộ / Total number of party members (đảng viên) of the committee.")
NEW_MEMBERS = FormField("new_members_admitted", "integer", "Số đảng viên mới được kết nạp / Number of new party members admitted (kết nạp đảng viên mới).")
CELLS = FormField("party_cells", "integer", "Tổng số chi bộ trực thuộc / Total number of party cells (chi bộ) under the committee.")
NUMBERS = (MEMBERS, NEW_MEMBERS, CELLS)
LEADERS = FormField(
    "leaders",
    "list",
    "Những người lãnh đạo được nêu tên trong bài / The leaders the article names.",
    item=FormField(
        "leaders",
        "object",
        fields=(
            FormField("name", "string", "Họ tên, chép đúng như bài viết / Full name."),
            FormField("position", "string", "Chức vụ / Position, copied exactly."),
        ),
    ),
)


def known(f: FormField, text: str, result: FieldResult = EMPTY, siblings=NUMBERS) -> FieldResult:
    return known_field(f, result, text, fact_candidates(text), find_people(text), siblings)


def test_the_secretary_is_the_person_written_with_that_position_over_that_body():
    text = "Bí thư Chi bộ Khu phố 3 Phan Văn Thạnh cho biết. Đồng chí Lê Thị Quân - Bí thư Đảng ủy Phường 6 cho biết thêm."
    result = known(SECRETARY, text)
    assert (result.status, result.value, result.filled_by) == ("filled", "Lê Thị Quân", "program")
    assert text[result.start : result.end] == "Lê Thị Quân" and result.reason == "the model gave no answer"


def test_a_deputy_is_not_the_secretary_and_two_secretaries_conflict():
    deputy = "Đồng chí Trần Văn Nam - Phó Bí thư Đảng ủy phường cho biết."
    assert known(SECRETARY, deputy).status == "not_in_article"
    two = "Ông Trần Văn Nam - Bí thư Đảng ủy phường cho biết. Bà Lê Thị Hoa - Bí thư Đảng ủy phường khẳng định."
    result = known(SECRETARY, two)
    assert result.status == "conflicting" and [c.value for c in result.candidates] == ["Trần Văn Nam", "Lê Thị Hoa"]


def test_what_the_model_filled_is_kept():
    filled = FieldResult(value="Lê Thị Quân", status="filled")
    assert known(SECRETARY, "Đồng chí Trần Văn Nam - Bí thư Đảng ủy phường cho biết.", filled) is filled


def test_the_one_count_that_fits_fills_the_field():
    text = "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên. Thu nhập bình quân 30 triệu đồng/năm."
    result = known(MEMBERS, text)
    assert (result.status, result.value, result.filled_by) == ("filled", 327, "program")
    assert "327 đảng viên" in text[result.start : result.end]


def test_a_field_with_its_own_qualifier_takes_no_number_without_it():
    """ "kết nạp" and "mới" are the new-members field's own words: 327 party members are no count of new members."""
    text = "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên. Phường xây mới nhà văn hóa."
    assert known(NEW_MEMBERS, text).status == "not_in_article"
    admitted = text + " Năm 2023, Đảng bộ kết nạp 15 đảng viên mới."
    assert known(NEW_MEMBERS, admitted).value == 15 and known(MEMBERS, admitted).value == 327


def test_several_counts_are_decided_by_the_words_around_them_or_conflict():
    decided = "Năm 2020 có 340 đảng viên; nâng tổng số đảng viên hiện nay lên 357 đảng viên."
    result = known(MEMBERS, decided)
    assert (result.status, result.value) == ("filled", 357) and {c.value for c in result.candidates} == {340, 357}
    undecided = "Năm 2021, Đảng bộ có 340 đảng viên. Năm 2022, Đảng bộ có 352 đảng viên."
    result = known(MEMBERS, undecided)
    assert result.status == "conflicting" and {c.value for c in result.candidates} == {340, 352}


def test_those_expelled_and_one_cells_members_are_no_count_of_the_committees_members():
    text = "Trong 4 năm, Đảng ủy đưa 22 đảng viên ra khỏi Đảng. Chi bộ Khu phố 7 có 47 đảng viên. Tổng số đảng viên hiện nay là 357 đảng viên."
    result = known(MEMBERS, text)
    assert (result.status, result.value, result.candidates) == ("filled", 357, [])


def test_a_percent_field_gets_no_count_and_a_year_is_never_offered():
    rate = FormField("poverty_rate", "number", "Tỷ lệ hộ nghèo (%) / Poor household rate, in percent.")
    assert known(rate, "Phường có 1.204 hộ, tỷ lệ hộ nghèo còn 2,3%.", siblings=(rate,)).value == 2.3
    assert known(rate, "Phường có 1.204 hộ nghèo.", siblings=(rate,)).status == "not_in_article"
    income = FormField("income", "number", "Thu nhập bình quân đầu người, đồng/năm / Average income per person.")
    assert known(income, "Giai đoạn 2020-2025, thu nhập bình quân đầu người tăng.", siblings=(income,)).status == "not_in_article"


def test_a_list_of_leaders_comes_from_the_people_found():
    text = "Đồng chí Lê Thị Quân - Bí thư Đảng ủy Phường 6 cho biết. Bí thư Chi bộ Khu phố 3 Phan Văn Thạnh nói thêm."
    result = known(LEADERS, text)
    assert result.status == "filled" and result.filled_by == "program"
    items = [{name: (sub.value, text[sub.start : sub.end]) for name, sub in item.fields.items()} for item in result.items]
    assert items == [
        {"name": ("Lê Thị Quân", "Lê Thị Quân"), "position": ("Bí thư Đảng ủy Phường 6", "Bí thư Đảng ủy Phường 6")},
        {"name": ("Phan Văn Thạnh", "Phan Văn Thạnh"), "position": ("Bí thư Chi bộ Khu phố 3", "Bí thư Chi bộ Khu phố 3")},
    ]


def test_the_models_answer_that_holds_is_grounded_as_before():
    """The control: known_field only fills what ground_field left empty."""
    text = "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên."
    grounded = ground_number(MEMBERS, ["327"], text, fact_candidates(text), NUMBERS)
    assert grounded.status == "filled" and known(MEMBERS, text, grounded) is grounded and grounded.filled_by == "model"


LOCALITY = FormField("locality", "string", 'Phường, xã hoặc thị trấn của tổ chức đảng, ví dụ "Phường 5" / The ward or commune.')
ORGANISATION = FormField("organisation", "string", 'Tên tổ chức đảng, ví dụ "Đảng bộ Phường 6" / The party organisation.')


def test_a_ward_field_gets_the_place_the_article_names_most_and_an_organisation_field_the_party_body_of_it():
    text = "Đảng bộ phường Mỏ Chè có 528 đảng viên. Phường Mỏ Chè giáp xã Tân Quang. Nhân dân phường Mỏ Chè đồng lòng."
    result = known(LOCALITY, text)
    assert (result.status, result.value, result.filled_by) == ("filled", "phường Mỏ Chè", "program") and text[result.start : result.end] == "phường Mỏ Chè"
    result = known(ORGANISATION, text)
    assert (result.status, result.value, result.filled_by) == ("filled", "Đảng bộ phường Mỏ Chè", "program")
    assert text[result.start : result.end] == "Đảng bộ phường Mỏ Chè"
    assert known(ORGANISATION, "Phường Mỏ Chè giáp xã Tân Quang.").status == "not_in_article"  # no body named: nothing known
    two = known(ORGANISATION, "Đảng bộ xã An Lạc và Đảng bộ xã Bình Hưng cùng báo cáo.")
    assert two.status == "conflicting" and [c.value for c in two.candidates] == ["Đảng bộ xã An Lạc", "Đảng bộ xã Bình Hưng"]


def test_an_organisation_answered_with_a_place_becomes_the_party_body_and_a_body_answered_is_kept():
    text = "Đảng bộ Phường 5, TP. Đông Hà có 12 chi bộ. Đảng bộ Phường 5 đạt trong sạch, vững mạnh. Phường 5, TP. Đông Hà phát triển."
    place = FieldResult(value="Phường 5, TP. Đông Hà", quote="Phường 5, TP. Đông Hà", start=8, end=29, alignment="exact", status="filled")
    result = known(ORGANISATION, text, place)
    assert (result.status, result.value, result.filled_by) == ("filled", "Đảng bộ Phường 5", "program")
    assert result.reason == "the model's answer 'Phường 5, TP. Đông Hà' names no party organisation"
    body = FieldResult(value="Đảng bộ Phường 5, TP. Đông Hà", status="filled")
    assert known(ORGANISATION, text, body) is body
    assert known(LOCALITY, text, place) is place  # a place is what a ward field asks for


def test_a_count_of_the_new_members_is_no_count_of_all_when_the_form_has_no_field_for_them():
    """The field alone in its form (no sibling speaks of new members): "kết nạp 61 đảng viên mới" still does not
    answer how many members the organisation has, from the model or from the program."""
    text = "Trong nhiệm kỳ, Đảng bộ phường 1 đã kết nạp 61 đảng viên mới, đạt 152,5% chỉ tiêu."
    assert known(MEMBERS, text, siblings=(MEMBERS,)).status == "not_in_article"
    given = ground_number(MEMBERS, ["61"], text, fact_candidates(text), (MEMBERS,))
    assert given.status == "unsupported" and "kết nạp" in given.reason


def test_a_field_that_names_what_it_counts_refuses_a_number_of_something_else_even_when_no_number_counts_it():
    text = "Toàn phường hiện có 863 cơ sở kinh doanh dịch vụ."  # no number of the article counts chi bộ
    result = ground_number(CELLS, ["863"], text, fact_candidates(text), NUMBERS)
    assert result.status == "unsupported" and "'chi bộ'" in result.reason


def test_a_count_written_in_words_fills_the_field():
    text = "Đảng bộ Phường 6 hiện có tám chi bộ với ba trăm hai mươi bảy đảng viên."
    members, cells = known(MEMBERS, text), known(CELLS, text)
    assert (members.status, members.value, members.filled_by) == ("filled", 327, "program")
    assert (cells.status, cells.value) == ("filled", 8)
    assert "ba trăm hai mươi bảy đảng viên" in text[members.start : members.end]


def test_the_part_of_a_fraction_is_no_count_of_all_unless_the_field_asks_for_those():
    text = "Năm 2022, 24/25 chi bộ được xếp loại hoàn thành tốt nhiệm vụ."
    refused = ground_number(CELLS, ["24"], text, fact_candidates(text), NUMBERS)
    assert refused.status == "unsupported" and "part of a fraction" in refused.reason
    assert (known(CELLS, text).status, known(CELLS, text).value) == ("filled", 25)  # the fraction's total is all of them
    rated = FormField("cells_rated_well", "integer", "Số chi bộ hoàn thành tốt nhiệm vụ / Party cells rated as completing their tasks well.")
    assert ground_number(rated, ["24"], text, fact_candidates(text), (rated,)).value == 24


def test_a_list_of_leaders_is_the_people_found_even_when_the_model_answered_and_a_position_is_no_name():
    text = "Đồng chí Lê Thị Quân - Bí thư Đảng ủy Phường 6 cho biết. Bí thư Chi bộ Khu phố 3 Phan Văn Thạnh nói thêm. Ông Trần Văn Tư góp ý."
    answer = [{"name": "Bí thư Đảng ủy Phường 6", "position": "Bí thư Đảng ủy Phường 6"}, {"name": "Trần Văn Tư", "position": None}]
    given = ground_field(LEADERS, answer_model((LEADERS,)).model_validate({"leaders": answer}).leaders, text, [])
    assert given.status == "filled" and len(given.items) == 2  # both are the article's words: grounding alone keeps them
    result = known(LEADERS, text, given)
    names = [item.fields["name"].value for item in result.items]
    assert names == ["Lê Thị Quân", "Phan Văn Thạnh", "Trần Văn Tư"]  # the people found, then the model's other person
    assert result.filled_by == "program" and "1 of the model's items name no person" in result.reason


def test_a_personal_name_is_a_surname_and_capitalised_words_only():
    assert is_personal_name("Lê Thị Quân") and is_personal_name(" Nguyễn Thái Hà ")
    assert not is_personal_name("Bí thư Đảng ủy phường") and not is_personal_name("Lê Thị Quân, Bí thư") and not is_personal_name("Lê")


def test_a_name_field_answered_with_the_title_too_keeps_the_name_alone():
    secretary = FormField("secretary", "string", "Họ tên Bí thư Đảng ủy, không kèm chức danh / Full name of the party committee secretary.")
    text = "Bí thư Đảng ủy phường 1 Nguyễn Thanh Khiết cho biết, phường có 12 chi bộ."
    given = FieldResult(
        value="Bí thư Đảng ủy phường 1 Nguyễn Thanh Khiết", quote="Bí thư Đảng ủy phường 1 Nguyễn Thanh Khiết", start=0, end=42, status="filled"
    )
    result = known(secretary, text, given, siblings=(secretary,))
    assert (result.value, text[result.start : result.end], result.filled_by) == ("Nguyễn Thanh Khiết", "Nguyễn Thanh Khiết", "program")
    exact = FieldResult(value="Nguyễn Thanh Khiết", quote="Nguyễn Thanh Khiết", start=24, end=42, status="filled")
    assert known(secretary, text, exact, siblings=(secretary,)) is exact


ADMISSIONS = FormField(
    "admissions",
    "list",
    "Số đảng viên mới được kết nạp, mỗi lần bài viết nêu / New party members admitted, each time the article gives a number.",
    item=FormField(
        "admissions",
        "object",
        fields=(
            FormField("count", "integer", "Số đảng viên mới / Number of new members."),
            FormField("period", "string", "Thời gian, như bài viết ghi / The period, as written."),
        ),
    ),
)
ADMISSIONS_TEXT = (
    "Đảng bộ phường hiện có 528 đảng viên, sinh hoạt ở 12 chi bộ. Trong 6 năm, từ 2017-2022, Đảng bộ phường kết nạp "
    "được 91 quần chúng vào Đảng. Riêng năm 2022, Đảng bộ kết nạp 15 đảng viên mới."
)


def items_of(result: FieldResult) -> list[dict]:
    return [{name: sub.value for name, sub in item.fields.items()} for item in result.items]


def test_a_list_of_counts_the_model_gave_none_of_is_each_count_the_article_states_with_its_period():
    result = known(ADMISSIONS, ADMISSIONS_TEXT)
    assert (result.status, result.filled_by) == ("filled", "program")
    assert items_of(result) == [{"count": 91, "period": "từ 2017-2022"}, {"count": 15, "period": "năm 2022"}]  # never 528 nor 12
    for item in result.items:
        for sub in item.fields.values():
            assert ADMISSIONS_TEXT[sub.start : sub.end] == sub.quote
    dated = FormField("admissions", "list", ADMISSIONS.description, item=FormField("admissions", "object", fields=(
        ADMISSIONS.item.fields[0], FormField("when", "date", "Thời gian / When."),
    )))  # fmt: skip
    assert items_of(known(dated, ADMISSIONS_TEXT)) == [{"count": 91, "when": "2017/2022"}, {"count": 15, "when": "2022"}]


def test_a_list_of_counts_keeps_the_models_counts_that_hold_and_replaces_items_without_one():
    candidates = fact_candidates(ADMISSIONS_TEXT)
    ids = {c.mention.text: c.id for c in candidates}
    answer = answer_model((ADMISSIONS,), "Admissions", {ADMISSIONS.item.fields[0]: (ids["91"], ids["15"])})

    def given(*items):
        answered = answer.model_validate({"admissions": list(items)}).admissions
        return ground_field(ADMISSIONS, answered, ADMISSIONS_TEXT, candidates, (ADMISSIONS,))

    kept = known(ADMISSIONS, ADMISSIONS_TEXT, given({"count": [ids["15"]], "period": None}))
    assert (items_of(kept), kept.filled_by) == ([{"count": 15, "period": "năm 2022"}], "model")  # its period from its sentence
    assert kept.items[0].fields["period"].filled_by == "program" and kept.items[0].fields["count"].filled_by == "model"
    replaced = known(ADMISSIONS, ADMISSIONS_TEXT, given({"count": [], "period": "năm 2022"}))
    assert replaced.filled_by == "program" and [item["count"] for item in items_of(replaced)] == [91, 15]
    assert "1 item(s) gave no count" in replaced.reason


def test_a_list_whose_items_have_two_numbers_is_left_to_the_model():
    two = FormField("rows", "list", ADMISSIONS.description, item=FormField("rows", "object", fields=(
        FormField("count", "integer", "Số đảng viên mới"), FormField("total", "integer", "Tổng số đảng viên"),
    )))  # fmt: skip
    assert known(two, ADMISSIONS_TEXT).status == "not_in_article"
