"""simple-salesforce 1.12.10 against `sfscenario mock --tls --config mock.yaml`.

Run by tests/tools/interop.rs. Environment: MOCK_URL (https), MOCK_CA (the CA file
the mock printed) and the SF_* credentials. Exits 1 naming the failed check.

simple-salesforce builds its login URLs as https://{domain}.salesforce.com,
but `SalesforceLogin(scratch_url=...)` sends the SOAP partner login to any
base URL; `Salesforce(instance=..., session_id=...)` then talks https to the
instance it names. Its Metadata API client (zeep) makes its own requests
session, which trusts the CA through REQUESTS_CA_BUNDLE.
"""

import os
import sys
import traceback

import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.login import token_login
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceResourceNotFound,
)

VERSION = "62.0"


def env(name):
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    url = env("MOCK_URL")
    ca = env("MOCK_CA")
    os.environ["REQUESTS_CA_BUNDLE"] = ca
    session = requests.Session()
    session.verify = ca
    username, password = env("SF_USERNAME"), env("SF_PASSWORD")
    token = env("SF_SECURITY_TOKEN")
    checks = []

    def check(name):
        def run(body):
            try:
                body()
            except Exception as error:  # report which check, then stop
                traceback.print_exc()
                raise SystemExit(f"simple-salesforce check failed: {name}: {error!r}")
            checks.append(name)
            return body

        return run

    state = {}

    @check("SOAP partner login through SalesforceLogin(scratch_url=...)")
    def _():
        session_id, instance = SalesforceLogin(
            username=username,
            password=password,
            security_token=token,
            sf_version=VERSION,
            session=session,
            scratch_url=url,
        )
        expect(session_id.startswith("00D"), session_id[:3])
        expect(url == f"https://{instance}", f"instance {instance} is not {url}")
        state["sf"] = Salesforce(
            instance=instance, session_id=session_id, session=session, version=VERSION
        )
        state["session_id"] = session_id

    @check("OAuth password grant through token_login")
    def _():
        access_token, instance = token_login(
            f"{url}/services/oauth2/token",
            {
                "grant_type": "password",
                "client_id": env("SF_CLIENT_ID"),
                "client_secret": env("SF_CLIENT_SECRET"),
                "username": username,
                "password": password + token,
            },
            "login", env("SF_CLIENT_ID"), None, None, session,
        )
        expect(access_token.startswith("00D"), access_token[:3])
        expect(url == f"https://{instance}", f"instance {instance} is not {url}")
        oauth = Salesforce(instance=instance, session_id=access_token, session=session,
                           version=VERSION)
        expect(oauth.is_sandbox() is False, "is_sandbox")

    @check("a wrong password is refused")
    def _():
        try:
            SalesforceLogin(username=username, password="wrong", security_token=token,
                            sf_version=VERSION, session=session, scratch_url=url)
        except SalesforceAuthenticationFailed as error:
            expect(error.code == "INVALID_LOGIN", error.code)
        else:
            raise AssertionError("logged in with a wrong password")

    sf = state["sf"]

    @check("instance_url= construction")
    def _():
        other = Salesforce(instance_url=url, session_id=state["session_id"], session=session,
                           version=VERSION)
        expect(other.base_url == f"{url}/services/data/v{VERSION}/", other.base_url)
        expect(other.query("SELECT Id FROM Account")["totalSize"] >= 7, "no accounts")

    @check("query pages with nextRecordsUrl")
    def _():
        result = sf.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Interop%' ORDER BY Name")
        expect(result["totalSize"] == 7, result["totalSize"])
        expect(result["done"] is False and len(result["records"]) == 2, result)
        more = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)
        expect(len(more["records"]) == 2, more)
        locator = more["nextRecordsUrl"].rsplit("/", 1)[-1]
        rest = sf.query_more(locator)
        expect(rest["records"][0]["Name"] == "Interop 05", rest)

    @check("query_all follows every batch")
    def _():
        result = sf.query_all("SELECT Id, Name FROM Account WHERE Name LIKE 'Interop%' ORDER BY Name")
        names = [r["Name"] for r in result["records"]]
        expect(names == [f"Interop 0{n}" for n in range(1, 8)], names)
        expect(result["done"] is True, result["done"])
        iterated = list(sf.query_all_iter("SELECT Id FROM Account WHERE Industry = 'Energy'"))
        expect(len(iterated) == 2, iterated)

    @check("describe and metadata of Account")
    def _():
        described = sf.Account.describe()
        expect(described["name"] == "Account", described["name"])
        expect(any(f["name"] == "Industry" for f in described["fields"]), "no Industry field")
        basic = sf.Account.metadata()
        expect(basic["objectDescribe"]["name"] == "Account", basic)
        expect(any(s["name"] == "Contact" for s in sf.describe()["sobjects"]), "no Contact")

    @check("create, get, update, delete an Account")
    def _():
        created = sf.Account.create({"Name": "simple-salesforce Interop", "Industry": "Media"})
        expect(created["success"] is True and created["id"].startswith("001"), created)
        record_id = created["id"]
        record = sf.Account.get(record_id)
        expect(record["Name"] == "simple-salesforce Interop", record)
        expect(sf.Account.update(record_id, {"Name": "renamed"}) == 204, "update status")
        expect(sf.Account.get(record_id)["Name"] == "renamed", "not renamed")
        expect(sf.Account.delete(record_id) == 204, "delete status")
        try:
            sf.Account.get(record_id)
        except SalesforceResourceNotFound as error:
            expect(error.content[0]["errorCode"] == "NOT_FOUND", error.content)
        else:
            raise AssertionError("a deleted record was found")

    @check("API usage is read from Sforce-Limit-Info")
    def _():
        sf.query("SELECT Id FROM Account LIMIT 1")
        usage = sf.api_usage.get("api-usage")
        expect(usage is not None and usage.used > 0, sf.api_usage)
        expect(sf.limits()["DailyApiRequests"]["Max"] > 0, "limits")

    @check("mdapi: describe, list and read the ConnectedApp")
    def _():
        described = sf.mdapi.describe_metadata()
        names = [o.xmlName for o in described.metadataObjects]
        expect("ConnectedApp" in names, names)
        query = sf.mdapi.ListMetadataQuery(type="ConnectedApp")
        listed = sf.mdapi.list_metadata([query])
        full_names = [item.fullName for item in listed]
        expect("sfscenario_Mock_App" in full_names, full_names)
        app = sf.mdapi.ConnectedApp.read("sfscenario_Mock_App")
        expect(app.fullName == "sfscenario_Mock_App", app.fullName)
        expect(app.oauthConfig.callbackUrl == "http://localhost:8000/callback",
               app.oauthConfig.callbackUrl)
        expect(app.oauthConfig.isPkceRequired is False, app.oauthConfig.isPkceRequired)
        expect("Api" in app.oauthConfig.scopes, app.oauthConfig.scopes)

    @check("a bad session raises SalesforceExpiredSession")
    def _():
        stale = Salesforce(instance_url=url, session_id="00Dbogus!x", session=session,
                           version=VERSION)
        try:
            stale.query("SELECT Id FROM Account")
        except SalesforceExpiredSession as error:
            expect(error.content[0]["errorCode"] == "INVALID_SESSION_ID", error.content)
        else:
            raise AssertionError("a bogus session was accepted")

    for name in checks:
        print(f"ok: {name}")
    print("simple-salesforce: all checks passed")


if __name__ == "__main__":
    sys.exit(main())
