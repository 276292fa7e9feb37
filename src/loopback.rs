//! Loopback addresses: where a callback listener may listen, and which
//! `--org` URLs may be plain http.

/// `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A callback URI must be http on a loopback host.
///
/// # Errors
///
/// The reason, for a message about `listen`.
pub fn check_listen(uri: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(uri).map_err(|e| format!("`listen` is not a valid URL: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "`listen` must be an http:// URL on this machine, found {}://",
            url.scheme()
        ));
    }
    if !is_loopback_host(&url) {
        return Err(format!(
            "`listen` must be on a loopback host (localhost, 127.0.0.1, [::1]), found {}",
            url.host_str().unwrap_or("no host")
        ));
    }
    Ok(url)
}

/// `http://localhost:…`, `http://127.0.0.1:…`, `http://[::1]:…`.
#[must_use]
pub fn is_loopback_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| is_loopback_host(&u))
}
