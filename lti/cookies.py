"""The login's state cookie: `SameSite=None; Secure; Partitioned`.

The login and the launch both happen inside the LMS's page, in a frame from our site: a
third-party context, where browsers now block ordinary cookies, `SameSite=None` ones included
(Chromium does, as the browser test sees). A *partitioned* cookie (CHIPS) is kept for our site
under the LMS's top-level site, so the frame gets it back at launch, and it is useless anywhere
else. Browsers treat http://localhost and http://127.0.0.1 as secure, so development works
without TLS. Python's cookie module learns the attribute in 3.14; until then a Morsel that
appends it does.
"""

from __future__ import annotations

from http.cookies import Morsel

from django.http import HttpResponse


class _PartitionedMorsel(Morsel):
    def OutputString(self, attrs=None) -> str:
        return super().OutputString(attrs) + "; Partitioned"


def _partition(response: HttpResponse, name: str) -> None:
    morsel = response.cookies[name]
    if "partitioned" in getattr(Morsel, "_reserved", {}):  # Python 3.14+
        morsel["partitioned"] = True
        return
    partitioned = _PartitionedMorsel()
    partitioned.set(morsel.key, morsel.value, morsel.coded_value)
    partitioned.update(morsel)
    dict.__setitem__(response.cookies, name, partitioned)


def state_cookie_set(response: HttpResponse, name: str, max_age: int) -> None:
    response.set_cookie(name, "1", max_age=max_age, secure=True, httponly=True, samesite="None")
    _partition(response, name)


def state_cookie_delete(response: HttpResponse, name: str) -> None:
    response.delete_cookie(name, samesite="None")
    _partition(response, name)
