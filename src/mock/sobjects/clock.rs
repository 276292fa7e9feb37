//! Dates and times as Salesforce's REST API writes them:
//! `2024-05-01T12:00:00.000+0000` and `2024-05-01`; all in UTC.

const MS_PER_DAY: i64 = 86_400_000;

/// `2024-05-01T12:00:00.000+0000`, as in REST records.
pub(crate) fn rest_datetime(ms: u64) -> String {
    format!("{}+0000", stamp(ms))
}

/// `2024-05-01T12:00:00.000Z`, as in SOAP results.
pub(crate) fn soap_datetime(ms: u64) -> String {
    format!("{}Z", stamp(ms))
}

fn stamp(ms: u64) -> String {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    let days = ms.div_euclid(MS_PER_DAY);
    let rest = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (rest / 3_600_000, rest / 60_000 % 60);
    let (second, milli) = (rest / 1000 % 60, rest % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}")
}

/// A valid `YYYY-MM-DD`.
pub(crate) fn is_date(text: &str) -> bool {
    parse_date(text).is_some()
}

/// `YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm|±hhmm)` → the REST form in UTC.
pub(crate) fn normalize_datetime(text: &str) -> Option<String> {
    let (date, time) = text.split_once('T')?;
    let days = parse_date(date)?;
    let (clock, offset_minutes) = split_offset(time)?;
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let parts: Vec<i64> = hms
        .split(':')
        .map(|part| digits(part, 2))
        .collect::<Option<_>>()?;
    let [hour, minute, second] = parts[..] else {
        return None;
    };
    let fraction_digits = !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit());
    if hour > 23 || minute > 59 || second > 59 || !fraction_digits {
        return None;
    }
    let milli = digits(&format!("{fraction:0<3}")[..3], 3)?;
    let ms =
        days * MS_PER_DAY + ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + milli;
    u64::try_from(ms).ok().map(rest_datetime)
}

fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let at = time.rfind(['+', '-'])?;
    let (clock, offset) = time.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let offset = offset[1..].replace(':', "");
    if offset.len() != 4 || !offset.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let minutes = digits(&offset[..2], 2)? * 60 + digits(&offset[2..], 2)?;
    Some((clock, sign * minutes))
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let year = digits(parts.next()?, 4)?;
    let month = digits(parts.next()?, 2)?;
    let day = digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // The day exists when it round-trips (no 31 April, no 29 February 2023).
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

fn digits(text: &str, len: usize) -> Option<i64> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{is_date, normalize_datetime, rest_datetime};

    #[test]
    fn formats() {
        assert_eq!(rest_datetime(0), "1970-01-01T00:00:00.000+0000");
        assert_eq!(
            rest_datetime(1_714_564_800_123),
            "2024-05-01T12:00:00.123+0000"
        );
        assert_eq!(
            rest_datetime(951_782_400_000),
            "2000-02-29T00:00:00.000+0000"
        );
    }

    #[test]
    fn parses() {
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-4-01"));
        assert_eq!(
            normalize_datetime("2024-05-01T14:00:00+02:00").as_deref(),
            Some("2024-05-01T12:00:00.000+0000")
        );
        assert_eq!(
            normalize_datetime("2024-05-01T12:00:00.5Z").as_deref(),
            Some("2024-05-01T12:00:00.500+0000")
        );
        for bad in [
            "2024-05-01",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:00Z",
            "2024-05-01T12:00:00.\u{e9}Z",
            "2024-05-01T12:00:00+1\u{e9}1",
            "2024-05-01T12:00:00.1\u{e9}",
            "x",
        ] {
            assert_eq!(normalize_datetime(bad), None, "{bad}");
        }
    }
}
