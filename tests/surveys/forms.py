"""Small XLSForms for the tests, written as Python rows (bridgeway.surveys.xlsbuild)."""

from bridgeway.surveys.xlsbuild import build_xlsform

SURVEY = [
    {"type": "text", "name": "org_name", "label::English (en)": "Organisation name",
     "label::Ukrainian (uk)": "Назва організації", "required": "yes"},
    {"type": "select_one yn", "name": "funded", "label::English (en)": "Do you receive state funding?",
     "label::Ukrainian (uk)": "Чи отримуєте ви державне фінансування?", "required": "yes"},
    {"type": "integer", "name": "share", "label::English (en)": "Share of state funding (%)",
     "label::Ukrainian (uk)": "Частка державного фінансування (%)",
     "relevant": "${funded} = 'yes'", "constraint": ". >= 0 and . <= 100",
     "constraint_message::English (en)": "Enter a percentage between 0 and 100",
     "constraint_message::Ukrainian (uk)": "Введіть відсоток від 0 до 100"},
    {"type": "select_one country", "name": "region_country", "label::English (en)": "Country",
     "label::Ukrainian (uk)": "Країна"},
    {"type": "select_one city", "name": "city", "label::English (en)": "City",
     "label::Ukrainian (uk)": "Місто", "choice_filter": "country = ${region_country}"},
    {"type": "select_multiple restr or_other", "name": "restrictions",
     "label::English (en)": "Restrictions experienced", "label::Ukrainian (uk)": "Обмеження"},
    {"type": "begin_group", "name": "ops", "label::English (en)": "Operations",
     "label::Ukrainian (uk)": "Діяльність", "appearance": "field-list"},
    {"type": "decimal", "name": "budget", "label::English (en)": "Annual budget (EUR)",
     "label::Ukrainian (uk)": "Річний бюджет (EUR)", "hint::English (en)": "Last financial year"},
    {"type": "date", "name": "founded", "label::English (en)": "Founded on",
     "label::Ukrainian (uk)": "Дата заснування"},
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "staff", "label::English (en)": "Staff member",
     "label::Ukrainian (uk)": "Працівник"},
    {"type": "text", "name": "role", "label::English (en)": "Role", "label::Ukrainian (uk)": "Роль",
     "required": "yes"},
    {"type": "integer", "name": "hours", "label::English (en)": "Hours a week",
     "label::Ukrainian (uk)": "Годин на тиждень", "constraint": ". <= 60",
     "constraint_message::English (en)": "At most 60 hours",
     "constraint_message::Ukrainian (uk)": "Не більше 60 годин"},
    {"type": "select_one contract", "name": "contract", "label::English (en)": "Contract",
     "label::Ukrainian (uk)": "Договір"},
    {"type": "end_repeat"},
    {"type": "calculate", "name": "staff_count", "calculation": "count(${staff})"},
    {"type": "note", "name": "staff_note", "label::English (en)": "Staff listed: ${staff_count}",
     "label::Ukrainian (uk)": "Працівників: ${staff_count}"},
]
CHOICES = [
    {"list_name": "yn", "name": "yes", "label::English (en)": "Yes", "label::Ukrainian (uk)": "Так"},
    {"list_name": "yn", "name": "no", "label::English (en)": "No", "label::Ukrainian (uk)": "Ні"},
    {"list_name": "country", "name": "md", "label::English (en)": "Moldova",
     "label::Ukrainian (uk)": "Молдова"},
    {"list_name": "country", "name": "ua", "label::English (en)": "Ukraine",
     "label::Ukrainian (uk)": "Україна"},
    {"list_name": "city", "name": "chisinau", "label::English (en)": "Chișinău",
     "label::Ukrainian (uk)": "Кишинів", "country": "md"},
    {"list_name": "city", "name": "kyiv", "label::English (en)": "Kyiv",
     "label::Ukrainian (uk)": "Київ", "country": "ua"},
    {"list_name": "restr", "name": "registration", "label::English (en)": "Burdensome registration",
     "label::Ukrainian (uk)": "Складна реєстрація"},
    {"list_name": "restr", "name": "foreign_funding", "label::English (en)": "Foreign-funding rules",
     "label::Ukrainian (uk)": "Правила іноземного фінансування"},
]
CHOICES += [
    {"list_name": "contract", "name": "employed", "label::English (en)": "Employed",
     "label::Ukrainian (uk)": "Найманий"},
    {"list_name": "contract", "name": "volunteer", "label::English (en)": "Volunteer",
     "label::Ukrainian (uk)": "Волонтер"},
]
SETTINGS = {"form_title": "Member survey", "form_id": "member_survey", "version": "2026-1",
            "default_language": "English (en)"}


def member_form(**overrides) -> bytes:
    return build_xlsform(overrides.get("survey", SURVEY), overrides.get("choices", CHOICES),
                         overrides.get("settings", SETTINGS))


def good_answers(**kw):
    answers = {"org_name": "Org A", "funded": "yes", "share": "40", "region_country": "md",
               "city": "chisinau", "restrictions": ["registration"], "budget": "120000.50",
               "founded": "2004-05-01", "staff": [{"role": "lawyer", "hours": "40"}]}
    answers.update(kw)
    return answers
