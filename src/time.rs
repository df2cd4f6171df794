//! Parsing and rendering of expiry times and spans for the CLI, always in UTC.
//! Takes `now` as an argument so every rule is testable without a clock.

use chrono::{DateTime, Duration, Months, NaiveDate, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

const MAX_MONTHS_AHEAD: u32 = 100 * 12;

fn bad_duration(spec: &str) -> String {
    format!(
        "invalid duration '{spec}': use 1m, 3m, 6m, 1y, 2y (calendar months/years) or a duration like 30d or 12h"
    )
}

/// Splits "1y 6m" / "1y6m" into (number, unit, whole term) triples.
fn terms(spec: &str) -> Option<Vec<(u64, &str, &str)>> {
    let mut out = Vec::new();
    let mut rest = spec.trim_start();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_end = rest[digits..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |i| digits + i);
        let n = rest[..digits].parse::<u64>().ok()?;
        if unit_end == digits || n == 0 {
            return None;
        }
        out.push((n, &rest[digits..unit_end], &rest[..unit_end]));
        rest = rest[unit_end..].trim_start();
    }
    (!out.is_empty()).then_some(out)
}

/// `now + spec`. Calendar units are intercepted before humantime, which would read `m`
/// as minutes and `y` as 365.25 days; doing it per term keeps "1y 6m" meaning 18 months.
fn add_spec(spec: &str, now: Timestamp) -> Result<Timestamp, String> {
    let bad = || bad_duration(spec);
    let mut months: u32 = 0;
    let mut exact = Duration::zero();
    for (n, unit, term) in terms(spec).ok_or_else(bad)? {
        let per = match unit {
            "m" | "mo" | "month" | "months" => Some(1),
            "y" | "year" | "years" => Some(12),
            _ => None,
        };
        if let Some(per) = per {
            let add = u32::try_from(n).ok().and_then(|n| n.checked_mul(per));
            months = add.and_then(|a| months.checked_add(a)).ok_or_else(bad)?;
        } else {
            let d = humantime::parse_duration(term).map_err(|_| bad())?;
            let d = Duration::from_std(d).map_err(|_| bad())?;
            exact = exact.checked_add(&d).ok_or_else(bad)?;
        }
    }
    now.checked_add_months(Months::new(months))
        .and_then(|t| t.checked_add_signed(exact))
        .ok_or_else(|| format!("duration '{spec}' is too far in the future"))
}

/// `--expires`: `<n>m`/`<n>mo`/`<n>month(s)` = calendar months and `<n>y`/`<n>year(s)` =
/// calendar years (Jan 31 + 1m = Feb 28/29), anything else a humantime duration
/// (`30d`, `12h`, `90days`). n >= 1; result after now and at most 100 years ahead.
pub fn expires_after(spec: &str, now: Timestamp) -> Result<Timestamp, String> {
    let t = add_spec(spec, now)?;
    if t <= now {
        return Err(bad_duration(spec));
    }
    within_bounds(t, now).map_err(|why| format!("duration '{spec}' is {why}"))
}

/// Times are stored in whole seconds: a token must live at least a minute, or it would
/// be expired before anyone could use it; and at most 100 years, for both ways to say it.
fn within_bounds(t: Timestamp, now: Timestamp) -> Result<Timestamp, &'static str> {
    if t < now + Duration::minutes(1) {
        return Err("too short: at least 1 minute");
    }
    if now
        .checked_add_months(Months::new(MAX_MONTHS_AHEAD))
        .is_some_and(|limit| t > limit)
    {
        return Err("too long: at most 100 years");
    }
    Ok(t)
}

/// `--expires-at`: RFC 3339 (`2027-01-31T12:00:00Z`, offsets ok) or `YYYY-MM-DD`
/// (00:00:00 UTC of that day). Must be in the future.
pub fn parse_date(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let s = s.trim();
    let t = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
            Some(day.and_hms_opt(0, 0, 0)?.and_utc())
        })
        .ok_or_else(|| {
            format!("invalid date '{s}': use RFC 3339 like 2027-01-31T12:00:00Z or a day like 2027-01-31")
        })?;
    if t <= now {
        return Err(format!("'{s}' is in the past"));
    }
    within_bounds(t, now).map_err(|why| format!("'{s}' is {why} from now"))
}

/// For filters like `--expiring-within 7d`, `--unused-since 30d`, `--since 2w`: same
/// grammar as `expires_after`, returned as the positive span `now + spec - now`.
/// No 100-year cap: a generous filter is harmless.
pub fn parse_span(spec: &str, now: Timestamp) -> Result<Duration, String> {
    Ok(add_spec(spec, now)? - now)
}

/// Human relative time: "just now", "5m ago", "3h ago", "2mo ago", "in 29d", ...
/// Largest unit, floored; months are 30 days so the label stays stable day to day.
pub fn relative(now: Timestamp, t: Timestamp) -> String {
    let delta = t.signed_duration_since(now).num_seconds();
    let secs = delta.unsigned_abs();
    let (mins, hours, days) = (secs / 60, secs / 3600, secs / 86_400);
    let amount = match () {
        _ if secs < 60 => return "just now".to_owned(),
        _ if mins < 60 => format!("{mins}m"),
        _ if hours < 24 => format!("{hours}h"),
        _ if days < 60 => format!("{days}d"),
        _ if days < 365 => format!("{}mo", days / 30),
        _ => format!("{}y", days / 365),
    };
    if delta > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// RFC 3339 UTC with seconds and 'Z': "2026-11-22T18:42:25Z"
pub fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn to_unix(t: Timestamp) -> i64 {
    t.timestamp()
}

/// None when `s` is outside chrono's representable range.
pub fn from_unix(s: i64) -> Option<Timestamp> {
    DateTime::from_timestamp(s, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2026-01-31T12:00:00Z";

    #[test]
    fn expires_after_table() {
        let cases = [
            (NOW, "1m", "2026-02-28T12:00:00Z"),
            (NOW, "1mo", "2026-02-28T12:00:00Z"),
            (NOW, "1month", "2026-02-28T12:00:00Z"),
            (NOW, "3months", "2026-04-30T12:00:00Z"),
            (NOW, "6m", "2026-07-31T12:00:00Z"),
            (NOW, "1y", "2027-01-31T12:00:00Z"),
            (NOW, "2years", "2028-01-31T12:00:00Z"),
            (NOW, "1y 1m", "2027-02-28T12:00:00Z"),
            (NOW, "30d", "2026-03-02T12:00:00Z"),
            (NOW, "12h", "2026-02-01T00:00:00Z"),
            (NOW, "90days", "2026-05-01T12:00:00Z"),
            (NOW, "2w", "2026-02-14T12:00:00Z"),
            (NOW, " 1d 12h ", "2026-02-02T00:00:00Z"),
            (NOW, "100y", "2126-01-31T12:00:00Z"),
            // Leap years: Feb 29 exists in 2028, and a year from it clamps to Feb 28.
            ("2028-01-31T00:00:00Z", "1m", "2028-02-29T00:00:00Z"),
            ("2028-02-29T00:00:00Z", "1y", "2029-02-28T00:00:00Z"),
            ("2026-03-31T00:00:00Z", "1m", "2026-04-30T00:00:00Z"),
        ];
        for (now, spec, want) in cases {
            assert_eq!(expires_after(spec, at(now)), Ok(at(want)), "{now} + {spec}");
        }
    }

    #[test]
    fn one_m_is_a_month_not_a_minute() {
        let now = at(NOW);
        let t = expires_after("1m", now).unwrap();
        assert!(t - now > Duration::days(27));
        assert_eq!(expires_after("1min", now), Ok(now + Duration::minutes(1)));
    }

    #[test]
    fn expires_after_rejects() {
        let now = at(NOW);
        for spec in [
            "",
            " ",
            "0d",
            "0m",
            "0y",
            "1y 0m",
            "x",
            "d",
            "10",
            "-1d",
            "1.5d",
            "1q",
            "1d,",
            "1dé",
            "10ms x",
            "101y",
            "1201m",
            "36525d 1d",
            "999999y",
            "9999999999999d",
            "99999999999999999999999d",
            "4294967295y",
            "4294967296m",
        ] {
            let err = expires_after(spec, now).unwrap_err();
            assert!(!err.contains('\n'), "{spec}: {err}");
            assert!(err.contains(&format!("'{spec}'")), "{spec}: {err}");
        }
        assert!(
            expires_after("x", now)
                .unwrap_err()
                .contains("1m, 3m, 6m, 1y, 2y")
        );
        assert!(
            expires_after("101y", now)
                .unwrap_err()
                .contains("100 years")
        );
    }

    #[test]
    fn parse_date_table() {
        let now = at(NOW);
        let ok = [
            ("2027-01-31T12:00:00Z", "2027-01-31T12:00:00Z"),
            ("2027-01-31T12:00:00+02:00", "2027-01-31T10:00:00Z"),
            ("2027-01-31", "2027-01-31T00:00:00Z"),
            ("2026-02-01", "2026-02-01T00:00:00Z"),
        ];
        for (s, want) in ok {
            assert_eq!(parse_date(s, now), Ok(at(want)), "{s}");
        }
        for s in ["2026-01-31", "2020-05-05T00:00:00Z", NOW] {
            assert!(
                parse_date(s, now).unwrap_err().ends_with("is in the past"),
                "{s}"
            );
        }
        for s in [
            "",
            "tomorrow",
            "2027-02-30",
            "2027-13-01",
            "31/01/2027",
            "2027-01-31T12:00",
        ] {
            assert!(
                parse_date(s, now).unwrap_err().starts_with("invalid date"),
                "{s}"
            );
        }
    }

    #[test]
    fn parse_span_table() {
        let now = at(NOW);
        assert_eq!(parse_span("7d", now), Ok(Duration::days(7)));
        assert_eq!(parse_span("2w", now), Ok(Duration::weeks(2)));
        assert_eq!(parse_span("1m", now), Ok(Duration::days(28)));
        assert_eq!(parse_span("1y", now), Ok(Duration::days(365)));
        assert_eq!(
            parse_span("200y", now),
            Ok(at("2226-01-31T12:00:00Z") - now)
        );
        assert!(parse_span("0d", now).is_err());
        assert!(parse_span("999999y", now).is_err());
    }

    #[test]
    fn relative_boundaries() {
        let now = at(NOW);
        let s = Duration::seconds;
        let cases = [
            (0, "just now"),
            (59, "just now"),
            (-59, "just now"),
            (60, "in 1m"),
            (-60, "1m ago"),
            (-3599, "59m ago"),
            (-3600, "1h ago"),
            (5 * 3600 + 59, "in 5h"),
            (-86_399, "23h ago"),
            (-86_400, "1d ago"),
            (29 * 86_400 + 3600, "in 29d"),
            (-(60 * 86_400 - 1), "59d ago"),
            (-60 * 86_400, "2mo ago"),
            (-364 * 86_400, "12mo ago"),
            (-365 * 86_400, "1y ago"),
            (3 * 365 * 86_400, "in 3y"),
        ];
        for (secs, want) in cases {
            assert_eq!(relative(now, now + s(secs)), want, "{secs}s");
        }
    }

    #[test]
    fn rfc3339_and_unix() {
        let t = at("2026-11-22T18:42:25.123+01:00");
        assert_eq!(rfc3339(t), "2026-11-22T17:42:25Z");
        assert_eq!(to_unix(at("1970-01-01T00:01:00Z")), 60);
        let back = from_unix(to_unix(t)).unwrap();
        assert_eq!(rfc3339(back), rfc3339(t));
        assert_eq!(
            from_unix(-1).map(rfc3339).as_deref(),
            Some("1969-12-31T23:59:59Z")
        );
        assert_eq!(from_unix(i64::MAX), None);
        assert_eq!(from_unix(i64::MIN), None);
    }
}
