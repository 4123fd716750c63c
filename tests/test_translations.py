"""The Spanish and French catalogues are complete: no empty and no fuzzy message (scripts/check_translations.py)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_translations.py"
LOCALE_DIR = ROOT / "src" / "reintegra" / "locale"
LANGUAGES = ["es", "fr"]


def check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, paths)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_exists(language):
    assert (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").is_file()


def test_every_message_is_translated_and_none_is_fuzzy():
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    for language in LANGUAGES:
        assert f"locale/{language}/LC_MESSAGES/django.po:" in result.stdout


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_agrees(language):
    """GNU msgfmt validates the catalogue (placeholders included) and counts the same messages."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        [shutil.which("msgfmt") or "msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr + result.stdout
    translated = int(re.search(r"(\d+) translated message", statistics).group(1))
    untranslated = re.search(r"(\d+) untranslated message", statistics)
    fuzzy = re.search(r"(\d+) fuzzy translation", statistics)
    assert not untranslated or int(untranslated.group(1)) == 0, statistics
    assert not fuzzy or int(fuzzy.group(1)) == 0, statistics
    ours = check(po).stdout
    assert f": {translated} translated messages, 0 untranslated messages, 0 fuzzy translations." in ours


SAMPLE = r"""# Sample.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\n"

#: a.py:1
msgid "Case"
msgstr "Caso"

#: a.py:2
msgctxt "verb"
msgid "Change"
msgstr "Cambiar"

#: a.py:3
#, python-format
msgid "%(n)s case"
msgid_plural "%(n)s cases"
msgstr[0] "%(n)s caso"
msgstr[1] "%(n)s casos"
msgstr[2] "%(n)s casos"

#: a.py:4
msgid ""
"A long message "
"on two lines."
msgstr ""
"Un mensaje largo "
"en dos líneas."

#~ msgid "Gone"
#~ msgstr ""
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "django.po"
    path.write_text(text, encoding="utf-8")
    return path


def test_checker_accepts_a_complete_catalogue(tmp_path):
    result = check(write(tmp_path, SAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 translated messages, 0 untranslated messages, 0 fuzzy translations." in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ('msgstr "Caso"', 'msgstr ""', "untranslated"),
        ('msgstr "Cambiar"', 'msgstr ""', "untranslated"),
        ('msgstr[2] "%(n)s casos"', 'msgstr[2] ""', "untranslated"),
        ('"Un mensaje largo "\n"en dos líneas."', "", "untranslated"),
        ("#: a.py:1\n", "#: a.py:1\n#, fuzzy\n", "fuzzy"),
        ("#, python-format", "#, fuzzy, python-format", "fuzzy"),
    ],
)
def test_checker_rejects_empty_or_fuzzy_messages(tmp_path, old, new, kind):
    assert old in SAMPLE
    result = check(write(tmp_path, SAMPLE.replace(old, new, 1)))
    assert result.returncode == 1, result.stdout
    assert f"  {kind}: line " in result.stdout


def test_checker_reports_a_broken_file(tmp_path):
    result = check(write(tmp_path, 'msgid "Case"\nmsgstr Caso\n'))
    assert result.returncode == 2
