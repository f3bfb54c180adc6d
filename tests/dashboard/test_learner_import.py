"""CSV import of learner identities through the real views: check, preview, confirm; all or none."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboard.identity_views import IMPORT_SESSION_KEY
from dashboard.models import LearnerIdentity, SchoolClass
from tests.factories import LearnerIdentityFactory, SchoolClassFactory
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

URL = "/teacher/learners/import/"
PREVIEW_URL = "/teacher/learners/import/preview/"


def upload(client, content: bytes | str, name: str = "class.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(URL, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def confirm(client, action: str = "import"):
    preview = client.session[IMPORT_SESSION_KEY]["preview"]
    return client.post(PREVIEW_URL, {"preview": preview, "action": action})


def test_it_shows_the_upload_form_and_the_format(teacher_client):
    response = teacher_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "real_id,display_name" in html
    assert "at most 5 MB" in html


def test_it_imports_a_good_file_after_a_preview(teacher_client):
    response = upload(
        teacher_client,
        'real_id,display_name\nS-1,Ada Lovelace\n\n  S-2 , "Hopper, Grace"\nS-3,Alan Turing\n',
    )
    assert response.status_code == 302
    assert response["Location"] == PREVIEW_URL
    assert not LearnerIdentity.objects.exists()  # nothing before the confirmation

    preview = teacher_client.get(PREVIEW_URL)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Import 3 learners?" in html
    assert "class.csv" in html
    for name in ("Ada Lovelace", "Hopper, Grace", "Alan Turing"):
        assert name in html

    done = confirm(teacher_client)
    assert done.status_code == 302
    assert done["Location"] == "/teacher/learners/"
    learners = {lr.real_id: lr for lr in LearnerIdentity.objects.all()}
    assert set(learners) == {"S-1", "S-2", "S-3"}
    assert learners["S-2"].display_name == "Hopper, Grace"
    assert learners["S-2"].real_id_key == "s-2"
    assert len({lr.opaque_id for lr in learners.values()}) == 3
    assert IMPORT_SESSION_KEY not in teacher_client.session
    page = teacher_client.get("/teacher/learners/").content.decode()
    assert "Imported 3 learners from class.csv" in page


def test_it_accepts_a_bom_semicolons_and_windows_line_ends(teacher_client):
    content = "\ufeffreal_id;display_name\r\nS-1;Ada Lovelace\r\nS-2;Grace Hopper\r\n".encode()
    assert upload(teacher_client, content).status_code == 302
    confirm(teacher_client)
    assert sorted(LearnerIdentity.objects.values_list("real_id", flat=True)) == ["S-1", "S-2"]


def test_it_lists_every_bad_line_and_imports_nothing(teacher_client):
    LearnerIdentityFactory(real_id="S-100", display_name="Existing Learner")
    content = (
        "real_id,display_name\n"
        "S-1,Ada Lovelace\n"  # line 2: fine
        "S-2,\n"  # line 3: no display name
        ",Nobody\n"  # line 4: no real id
        "S-3,Grace,Hopper\n"  # line 5: three values
        " s-1 ,Ada Again\n"  # line 6: same real id as line 2, after trimming and case-folding
        "s-100,Someone\n"  # line 7: exists already
        f"{'x' * 151},Too Long\n"  # line 8
        "S-4,Alan Turing\n"  # line 9: fine
    )
    response = upload(teacher_client, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    expected = [
        ("3", "A display name is required."),
        ("4", "A real id is required."),
        ("5", "Expected 2 values (real_id, display_name) but found 3."),
        ("6", "The real id “s-1” is already on line 2 (as “S-1”)"),
        ("7", "A learner with the real id “s-100” already exists (Existing Learner)."),
        ("8", "The real id is longer than 150 characters."),
    ]
    for line, message in expected:
        assert f"<strong>Line {line}:</strong> {message}" in html
    assert "Line 2:" not in html
    assert "Line 9:" not in html
    assert "6 problems found" in html
    assert LearnerIdentity.objects.count() == 1
    assert IMPORT_SESSION_KEY not in teacher_client.session


def test_it_says_clearly_when_the_header_is_missing(teacher_client):
    response = upload(teacher_client, "S-1,Ada Lovelace\nS-2,Grace Hopper\n")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The first line must be the header “real_id,display_name”" in html
    assert "“S-1,Ada Lovelace”" in html
    assert not LearnerIdentity.objects.exists()


def test_it_refuses_extra_columns_such_as_an_exported_opaque_id(teacher_client):
    response = upload(
        teacher_client, "real_id,display_name,opaque_id,created\nS-1,Ada,abc,2025-01-01\n"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unexpected column “opaque_id”" in html
    assert "opaque ids are always generated here" in html


def test_it_refuses_a_file_that_is_not_utf8(teacher_client):
    response = upload(teacher_client, "real_id,display_name\nS-1,Zoë\n".encode("latin-1"))
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.content.decode()


def test_it_refuses_an_empty_file_and_a_file_with_only_the_header(teacher_client):
    empty = upload(teacher_client, b"")
    assert empty.status_code == 400
    assert "The file is empty" in empty.content.decode()
    header_only = upload(teacher_client, "real_id,display_name\n")
    assert header_only.status_code == 400
    assert "the header but no learners" in header_only.content.decode()


def test_it_refuses_a_file_over_5_mb(teacher_client):
    row = "S-{n},A learner with a fairly long display name to fill the file quickly\n"
    lines = ["real_id,display_name\n"]
    size = 0
    n = 0
    while size <= 5 * 1024 * 1024:
        lines.append(row.format(n=n))
        size += len(lines[-1])
        n += 1
    response = upload(teacher_client, "".join(lines))
    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 5 MB" in html
    assert "Split it into smaller files" in html
    assert not LearnerIdentity.objects.exists()


def test_it_asks_for_a_file(teacher_client):
    response = teacher_client.post(URL, {})
    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.content.decode()


def test_a_clash_that_appears_after_the_preview_imports_nothing(teacher_client):
    upload(teacher_client, "real_id,display_name\nS-1,Ada\nS-2,Grace\nS-3,Alan\n")
    LearnerIdentityFactory(real_id="s-2", display_name="Added Meanwhile")
    response = confirm(teacher_client)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Since the preview" in html
    assert "<strong>Line 3:</strong> A learner with the real id “S-2” already exists" in html
    assert list(LearnerIdentity.objects.values_list("real_id", flat=True)) == ["s-2"]


def test_the_confirmation_imports_only_the_rows_checked_on_the_server(teacher_client):
    upload(teacher_client, "real_id,display_name\nS-1,Ada\n")
    stale = teacher_client.post(PREVIEW_URL, {"preview": "0" * 32, "action": "import"})
    assert stale.status_code == 302
    assert stale["Location"] == URL
    assert not LearnerIdentity.objects.exists()
    assert "This preview is out of date" in teacher_client.get(URL).content.decode()


def test_confirming_twice_imports_once(teacher_client):
    upload(teacher_client, "real_id,display_name\nS-1,Ada\n")
    preview = teacher_client.session[IMPORT_SESSION_KEY]["preview"]
    teacher_client.post(PREVIEW_URL, {"preview": preview, "action": "import"})
    again = teacher_client.post(PREVIEW_URL, {"preview": preview, "action": "import"})
    assert again.status_code == 302
    assert LearnerIdentity.objects.count() == 1


def test_it_cancels_an_import(teacher_client):
    upload(teacher_client, "real_id,display_name\nS-1,Ada\n")
    response = confirm(teacher_client, action="cancel")
    assert response.status_code == 302
    assert not LearnerIdentity.objects.exists()
    assert IMPORT_SESSION_KEY not in teacher_client.session
    assert "Import cancelled. Nothing was added." in teacher_client.get(URL).content.decode()


def test_the_preview_without_an_upload_sends_the_teacher_back(teacher_client):
    response = teacher_client.get(PREVIEW_URL)
    assert response.status_code == 302
    assert response["Location"] == URL


def test_an_export_with_the_opaque_id_column_removed_imports_again(teacher_client):
    LearnerIdentityFactory(real_id="=1+1", display_name="\uff20Formula, Person")
    exported = b"".join(teacher_client.get("/teacher/learners/export/").streaming_content)
    LearnerIdentity.objects.all().delete()
    lines = exported.decode("utf-8").splitlines()
    trimmed = "\n".join(line.rsplit(",", 2)[0] for line in lines)
    assert upload(teacher_client, trimmed).status_code == 302
    confirm(teacher_client)
    learner = LearnerIdentity.objects.get()
    assert (learner.real_id, learner.display_name) == ("=1+1", "\uff20Formula, Person")


def test_it_imports_10000_rows_through_the_views_in_a_few_seconds(teacher_client):
    content = "real_id,display_name\n" + "".join(
        f"S-{n:05d},Learner number {n}\n" for n in range(10_000)
    )
    started = time.perf_counter()
    assert upload(teacher_client, content).status_code == 302
    assert teacher_client.get(PREVIEW_URL).status_code == 200
    assert confirm(teacher_client).status_code == 302
    elapsed = time.perf_counter() - started
    assert LearnerIdentity.objects.count() == 10_000
    assert LearnerIdentity.objects.values("opaque_id").distinct().count() == 10_000
    assert elapsed < 10, f"10,000 rows took {elapsed:.1f}s"


def test_a_class_column_puts_learners_into_the_teachers_classes(teacher_client, teacher):
    existing = SchoolClassFactory(name="7B", owner=teacher)
    content = (
        "real_id,display_name,class\nS-1,Ada Lovelace,7b\nS-2,Grace Hopper,8A\nS-3,Alan Turing,\n"
    )
    preview = teacher_client.get(upload(teacher_client, content)["Location"]).content.decode()
    assert '<th scope="col">Class</th>' in preview and "8A" in preview
    confirm(teacher_client)
    ada, grace, alan = (LearnerIdentity.objects.get(real_id=r) for r in ("S-1", "S-2", "S-3"))
    assert list(ada.classes.all()) == [existing]  # the teacher's 7B, whatever the case
    eight_a = SchoolClass.objects.get(name="8A")
    assert eight_a.owner == teacher and list(eight_a.learners.all()) == [grace]
    assert not alan.classes.exists()


def test_a_row_with_too_few_values_for_the_header_is_refused(teacher_client):
    response = upload(teacher_client, "real_id,display_name,class\nS-1,Ada Lovelace\n")
    assert response.status_code == 400
    assert "Expected 3 values (real_id, display_name, class) but found 2." in (
        response.content.decode()
    )
    assert not LearnerIdentity.objects.exists()
