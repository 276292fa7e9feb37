-- wrk: password-grant token requests.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("TOKEN_BODY")
