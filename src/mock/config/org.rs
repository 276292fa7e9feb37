//! Org-wide settings of the mock org, with the defaults of an org created
//! today, and the profiles its users hold: what Setup's *OAuth and OpenID
//! Connect Settings*, *Network Access* and *Profiles › Login IP Ranges* say.

use std::net::IpAddr;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The newest API version a new org serves (Winter '27).
pub const CURRENT_API_VERSION: f64 = 68.0;

/// Org-wide switches; each default is a new org's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrgSettings {
    /// *Allow OAuth Username-Password Flows* (the metadata field
    /// `OauthOidcSettings.blockOAuthUnPwFlow`, inverted): off in orgs
    /// created since Summer '23.
    pub allow_username_password_flows: bool,
    /// SOAP API `login()`: off in new orgs.
    pub allow_soap_login: bool,
    /// The address the org sees requests come from (every request to a
    /// local mock comes from 127.0.0.1).
    pub client_ip: String,
    /// *Network Access* trusted IP ranges (`203.0.113.0/24` or
    /// `203.0.113.1-203.0.113.9`): from inside them a password needs no
    /// security token.
    pub trusted_ip_ranges: Vec<String>,
    /// A sandbox: `Organization.IsSandbox` is true and JWT assertions are
    /// for `https://test.salesforce.com`.
    pub sandbox: bool,
    /// The newest API version served (`68.0`).
    pub max_api_version: f64,
}

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            allow_username_password_flows: false,
            allow_soap_login: false,
            client_ip: "127.0.0.1".into(),
            trusted_ip_ranges: Vec::new(),
            sandbox: false,
            max_api_version: CURRENT_API_VERSION,
        }
    }
}

/// A profile's settings that the mock enforces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// *Login IP Ranges*: when set, the profile's users may log in only from
    /// inside them (`invalid_grant` / `ip restricted` otherwise).
    pub login_ip_ranges: Vec<String>,
}

/// The profiles by name.
pub type Profiles = IndexMap<String, Profile>;

/// An inclusive range of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpRange {
    first: IpAddr,
    last: IpAddr,
}

impl IpRange {
    /// `203.0.113.0/24`, `203.0.113.1-203.0.113.9` or one address.
    pub(crate) fn parse(text: &str) -> Option<IpRange> {
        let text = text.trim();
        if let Some((address, bits)) = text.split_once('/') {
            let address: IpAddr = address.trim().parse().ok()?;
            let bits: u32 = bits.trim().parse().ok()?;
            return Self::cidr(address, bits);
        }
        let (first, last) = text.split_once('-').unwrap_or((text, text));
        let first: IpAddr = first.trim().parse().ok()?;
        let last: IpAddr = last.trim().parse().ok()?;
        let same_family = first.is_ipv4() == last.is_ipv4();
        (same_family && first <= last).then_some(IpRange { first, last })
    }

    fn cidr(address: IpAddr, bits: u32) -> Option<IpRange> {
        match address {
            IpAddr::V4(v4) if bits <= 32 => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                let start = u32::from(v4) & mask;
                Some(IpRange {
                    first: IpAddr::V4(start.into()),
                    last: IpAddr::V4((start | !mask).into()),
                })
            }
            IpAddr::V6(v6) if bits <= 128 => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                let start = u128::from(v6) & mask;
                Some(IpRange {
                    first: IpAddr::V6(start.into()),
                    last: IpAddr::V6((start | !mask).into()),
                })
            }
            _ => None,
        }
    }

    pub(crate) fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        address.is_ipv4() == self.first.is_ipv4() && self.first <= address && address <= self.last
    }
}

/// Whether `address` is inside any of `ranges` (ranges already checked).
pub(crate) fn in_ranges(ranges: &[String], address: IpAddr) -> bool {
    ranges
        .iter()
        .filter_map(|range| IpRange::parse(range))
        .any(|range| range.contains(address))
}

impl OrgSettings {
    /// The address the org sees; checked at load time, so always valid.
    pub(crate) fn client_address(&self) -> IpAddr {
        self.client_ip
            .trim()
            .parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
    }

    /// The newest API version as a whole number (`68`).
    pub(crate) fn max_version(&self) -> u32 {
        // Checked at load time: a whole number within the served range.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "validated as a whole number from 31 to 999"
        )]
        let version = self.max_api_version as u32;
        version
    }

    pub(crate) fn validate(&self, first_version: u32) -> Result<(), ConfigError> {
        let at = |key: &str| format!("mock.org_settings.{key}");
        if self.client_ip.trim().parse::<IpAddr>().is_err() {
            let message = format!("expected an IP address, found `{}`", self.client_ip);
            return Err(ConfigError::new(at("client_ip"), message));
        }
        check_ranges(&self.trusted_ip_ranges, &at("trusted_ip_ranges"))?;
        let version = self.max_api_version;
        let whole = version.fract() == 0.0;
        if !whole || version < f64::from(first_version) || version > 999.0 {
            let message = format!(
                "expected a version such as 68.0, from {first_version}.0 on, found {version}"
            );
            return Err(ConfigError::new(at("max_api_version"), message));
        }
        Ok(())
    }
}

/// Every range parses; an error names the first that does not.
pub(crate) fn check_ranges(ranges: &[String], path: &str) -> Result<(), ConfigError> {
    for (index, range) in ranges.iter().enumerate() {
        if IpRange::parse(range).is_none() {
            let message = format!(
                "expected an address range such as 203.0.113.0/24 or \
                 203.0.113.1-203.0.113.9, found `{range}`"
            );
            return Err(ConfigError::new(format!("{path}.{index}"), message));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::{IpRange, in_ranges};

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_in_cidr_or_first_last_form() {
        let cidr = IpRange::parse("203.0.113.0/24").unwrap();
        assert!(cidr.contains(ip("203.0.113.7")));
        assert!(!cidr.contains(ip("203.0.114.7")));
        let span = IpRange::parse("10.0.0.5 - 10.0.0.9").unwrap();
        assert!(span.contains(ip("10.0.0.9")));
        assert!(!span.contains(ip("10.0.0.10")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(IpRange::parse("::1").unwrap().contains(ip("::1")));
        assert!(!IpRange::parse("::/0").unwrap().contains(ip("127.0.0.1")));
        assert!(
            IpRange::parse("127.0.0.1")
                .unwrap()
                .contains(ip("::ffff:127.0.0.1"))
        );
        for bad in ["10.0.0.9-10.0.0.5", "10.0.0.1/33", "x", "10.0.0.1-::1", ""] {
            assert_eq!(IpRange::parse(bad), None, "{bad}");
        }
        let ranges = ["192.0.2.0/24".to_string(), "198.51.100.1".to_string()];
        assert!(in_ranges(&ranges, ip("198.51.100.1")));
        assert!(!in_ranges(&ranges, ip("203.0.113.7")));
    }
}
