//! Parsing and rendering of expiry times and spans for the CLI, always in UTC.
//! Takes `now` as an argument so every rule is testable without a clock.

use chrono::{DateTime, Duration, Months, NaiveDate, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

const MAX_MONTHS_AHEAD: u32 = 100 * 12;

/// SPEC's hint, word for word: `m` meant months here and minutes to humantime.
const AMBIGUOUS_M: &str = "write 1mo for a month or 1min for a minute";

const GRAMMAR: &str = "use terms like 30d, 12h, 3mo, 1y or 1h30min (units: y, mo, w, d, h, min, s)";

/// A duration as written: calendar months (`y`, `mo`) apart from exact seconds, because a
/// month has no fixed length until it is laid on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    months: u32,
    seconds: i64,
}

enum Unit {
    Months(u32),
    Seconds(i64),
}

/// The one duration grammar of every flag and prompt (SPEC "Durations"). Long names are
/// humantime's; `y` and `mo` are calendar units; anything that could be read as either a
/// month or a minute is refused rather than guessed.
fn unit(name: &str) -> Result<Unit, String> {
    Ok(match name {
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Months(12),
        "mo" | "month" | "months" => Unit::Months(1),
        "w" | "wk" | "wks" | "week" | "weeks" => Unit::Seconds(7 * 86_400),
        "d" | "day" | "days" => Unit::Seconds(86_400),
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Seconds(3600),
        "min" | "mins" | "minute" | "minutes" => Unit::Seconds(60),
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Seconds(1),
        "ms" | "msec" | "millis" | "us" | "usec" | "µs" | "ns" | "nsec" | "nanos" => {
            return Err("times are kept in whole seconds: use s or a longer unit".to_owned());
        }
        // `m`, `M` (humantime's month), `Mo`, `MIN`, `mth`, `mon`...
        _ if name.starts_with(['m', 'M']) => {
            return Err(format!("'{name}' is ambiguous: {AMBIGUOUS_M}"));
        }
        _ => return Err(format!("unknown unit '{name}': {GRAMMAR}")),
    })
}

/// Parses `1y 6mo`, `1h30min`, `90 days`: terms of a whole number and a unit, with or
/// without spaces between them. Every term must be at least 1.
pub fn parse(spec: &str) -> Result<Span, String> {
    parse_terms(spec).map_err(|why| format!("invalid duration '{spec}': {why}"))
}

fn parse_terms(spec: &str) -> Result<Span, String> {
    const TOO_LONG: &str = "the number is too large";
    let mut span = Span {
        months: 0,
        seconds: 0,
    };
    let mut rest = spec.trim_start();
    if rest.is_empty() {
        return Err(format!("it is empty: {GRAMMAR}"));
    }
    if let Some(after) = rest.strip_prefix('-') {
        return Err(if after.starts_with(|c: char| c.is_ascii_digit()) {
            "a duration cannot be negative: give how long from now, e.g. 1d".to_owned()
        } else {
            format!("that is an option, not a duration: {GRAMMAR}")
        });
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("expected a number at '{rest}': {GRAMMAR}"));
        }
        let number = &rest[..digits];
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let name = &rest[..unit_len];
        if name.is_empty() {
            return Err(match rest.chars().next() {
                Some('.' | ',') => format!("use whole numbers: {GRAMMAR}"),
                Some(c) if !c.is_ascii_digit() => format!("unexpected '{c}': {GRAMMAR}"),
                _ => format!("the number {number} needs a unit, e.g. {number}d: {GRAMMAR}"),
            });
        }
        let n: u64 = number.parse().map_err(|_| TOO_LONG.to_owned())?;
        if n == 0 {
            return Err(format!(
                "'{number}{name}' is zero: every term must be at least 1"
            ));
        }
        match unit(name)? {
            Unit::Months(per) => {
                span.months = u32::try_from(n)
                    .ok()
                    .and_then(|n| n.checked_mul(per))
                    .and_then(|m| span.months.checked_add(m))
                    .ok_or(TOO_LONG)?;
            }
            Unit::Seconds(per) => {
                span.seconds = i64::try_from(n)
                    .ok()
                    .and_then(|n| n.checked_mul(per))
                    .and_then(|s| span.seconds.checked_add(s))
                    .ok_or(TOO_LONG)?;
            }
        }
        rest = rest[unit_len..].trim_start();
    }
    Ok(span)
}

impl Span {
    /// No time at all: `rotate`'s default grace, which the grammar cannot write.
    pub const ZERO: Span = Span {
        months: 0,
        seconds: 0,
    };

    /// `t + self`: the months first, on the calendar (Jan 31 + 1mo = Feb 28/29), then
    /// the exact part. None past chrono's range.
    pub fn after(self, t: Timestamp) -> Option<Timestamp> {
        t.checked_add_months(Months::new(self.months))?
            .checked_add_signed(Duration::try_seconds(self.seconds)?)
    }

    /// `t - self`, the mirror of `after` (Mar 31 - 1mo = Feb 28/29).
    pub fn before(self, t: Timestamp) -> Option<Timestamp> {
        t.checked_sub_months(Months::new(self.months))?
            .checked_sub_signed(Duration::try_seconds(self.seconds)?)
    }
}

/// `--expires`: `now + spec` (see `parse`), at least a minute and at most 100 years ahead.
pub fn expires_after(spec: &str, now: Timestamp) -> Result<Timestamp, String> {
    let t = parse(spec)?
        .after(now)
        .ok_or_else(|| format!("duration '{spec}' is too long: at most 100 years"))?;
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

/// For `--expiring-within 7d`: the positive span `now + spec - now`. No 100-year cap: a
/// generous filter is harmless.
pub fn parse_span(spec: &str, now: Timestamp) -> Result<Duration, String> {
    Ok(ahead(spec, now)? - now)
}

/// `now + spec`, for filters that look forward (`--expiring-within`).
pub fn ahead(spec: &str, now: Timestamp) -> Result<Timestamp, String> {
    parse(spec)?
        .after(now)
        .ok_or_else(|| format!("duration '{spec}' is too long"))
}

/// `now - spec` on the calendar, for filters that look back (`--since`, `--unused-since`):
/// on Mar 31, `--since 1mo` starts on Feb 28/29, not 31 days back.
pub fn ago(spec: &str, now: Timestamp) -> Result<Timestamp, String> {
    parse(spec)?
        .before(now)
        .ok_or_else(|| format!("duration '{spec}' is too long"))
}

/// Human relative time: "just now", "5min ago", "3h ago", "in 29d", "in 3mo", "in 2y".
/// One unit, rounded to the nearest, so a time read a few seconds after it was set shows
/// what was asked (`--expires 3mo` lists as "in 3mo"); a tie goes towards now, so an exact
/// half (`90min`) reads the same when set and a moment later. Days up to
/// two calendar months, then calendar months; under two years only a whole year is "1y",
/// else "18mo": half a year is too much to round away, and "1y 6mo" too wide a column.
pub fn relative(now: Timestamp, t: Timestamp) -> String {
    let future = t > now;
    let secs = t.signed_duration_since(now).num_seconds().unsigned_abs();
    let round = |unit: u64| secs / unit + u64::from(secs % unit > unit / 2);
    let (mins, hours) = (round(60), round(3600));
    let amount = match () {
        _ if secs < 60 => return "just now".to_owned(),
        _ if mins < 60 => format!("{mins}min"),
        _ if hours < 24 => format!("{hours}h"),
        // `--expires 1mo` read right after it was set says what was asked, not `in 31d`.
        _ if exact_month(now, t, future) => "1mo".to_owned(),
        _ if !calendar_months_away(now, t, future, 2) => format!("{}d", round(86_400)),
        _ => match nearest_months(now, t, future) {
            12 => "1y".to_owned(),
            m @ ..24 => format!("{m}mo"),
            m => format!("{}y", (m + 5) / 12),
        },
    };
    if future {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// Whether `t` is one calendar month from `now`, give or take the few minutes between
/// setting a time and reading it back.
fn exact_month(now: Timestamp, t: Timestamp, future: bool) -> bool {
    shift(now, 1, future).is_some_and(|mark| (mark - t).num_seconds().abs() <= 600)
}

/// `now` moved `months` calendar months towards `t`.
fn shift(now: Timestamp, months: u32, future: bool) -> Option<Timestamp> {
    if future {
        now.checked_add_months(Months::new(months))
    } else {
        now.checked_sub_months(Months::new(months))
    }
}

/// Whether `t` is `months` calendar months from `now` or more, less half a day (the
/// rounding of the day count it would otherwise show).
fn calendar_months_away(now: Timestamp, t: Timestamp, future: bool, months: u32) -> bool {
    let half_day = Duration::hours(12);
    shift(now, months, future).is_some_and(|mark| {
        if future {
            t.checked_add_signed(half_day).is_none_or(|t| t > mark)
        } else {
            t.checked_sub_signed(half_day).is_none_or(|t| t < mark)
        }
    })
}

/// The whole number of calendar months from `now` nearest to `t` (a tie towards now).
fn nearest_months(now: Timestamp, t: Timestamp, future: bool) -> u32 {
    let reached = |k: u32| {
        shift(now, k, future).is_some_and(|mark| if future { mark <= t } else { mark >= t })
    };
    // An estimate from the mean Gregorian month, then a few steps to the exact count.
    let secs = t.signed_duration_since(now).num_seconds().unsigned_abs();
    let mut k = u32::try_from(secs / 2_629_746).unwrap_or(u32::MAX);
    while k > 0 && !reached(k) {
        k -= 1;
    }
    while k < u32::MAX && reached(k + 1) {
        k += 1;
    }
    let distance = |mark: Timestamp| (mark - t).num_seconds().unsigned_abs();
    match (
        shift(now, k, future),
        k.checked_add(1).and_then(|k1| shift(now, k1, future)),
    ) {
        (Some(lo), Some(hi)) if distance(hi) < distance(lo) => k + 1,
        _ => k,
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
    fn the_grammar_accepts() {
        let (min, h, d) = (60, 3600, 86_400);
        // (spec, calendar months, exact seconds)
        let cases = [
            ("1mo", 1, 0),
            ("1month", 1, 0),
            ("3 months", 3, 0),
            ("1y", 12, 0),
            ("2years", 24, 0),
            ("1yr", 12, 0),
            ("1y 6mo", 18, 0),
            ("1y6mo", 18, 0),
            ("1h30min", 0, h + 30 * min),
            ("1h 30min", 0, h + 30 * min),
            ("12h30min", 0, 12 * h + 30 * min),
            ("90min", 0, 90 * min),
            ("90 minutes", 0, 90 * min),
            ("5mins", 0, 5 * min),
            ("1minute", 0, min),
            ("2w", 0, 14 * d),
            ("1week", 0, 7 * d),
            ("2wks", 0, 14 * d),
            ("30d", 0, 30 * d),
            ("90days", 0, 90 * d),
            ("12h", 0, 12 * h),
            ("2hrs", 0, 2 * h),
            ("1hour", 0, h),
            ("45s", 0, 45),
            ("10sec", 0, 10),
            ("1second", 0, 1),
            (" 1d 12h ", 0, d + 12 * h),
            ("1d1d", 0, 2 * d),
            ("30min 1h", 0, h + 30 * min),
            ("1y 2mo 3w 4d 5h 6min 7s", 14, 25 * d + 5 * h + 6 * min + 7),
        ];
        for (spec, months, seconds) in cases {
            assert_eq!(parse(spec), Ok(Span { months, seconds }), "{spec}");
        }
    }

    #[test]
    fn the_grammar_refuses() {
        // (spec, part of the one-line message)
        let cases = [
            ("90m", AMBIGUOUS_M),
            ("1m", AMBIGUOUS_M),
            ("1h30m", AMBIGUOUS_M),
            ("12h30m", AMBIGUOUS_M),
            ("1y 6m", AMBIGUOUS_M),
            ("3M", AMBIGUOUS_M),
            ("3Mo", AMBIGUOUS_M),
            ("3MIN", AMBIGUOUS_M),
            ("3mon", AMBIGUOUS_M),
            ("3mth", AMBIGUOUS_M),
            ("3 m", AMBIGUOUS_M),
            ("500ms", "whole seconds"),
            ("5us", "whole seconds"),
            ("1q", "unknown unit 'q'"),
            ("1D", "unknown unit 'D'"),
            ("1dé", "unknown unit 'dé'"),
            ("", "empty"),
            (" ", "empty"),
            ("x", "expected a number at 'x'"),
            ("d", "expected a number at 'd'"),
            ("10", "the number 10 needs a unit"),
            ("1 1d", "the number 1 needs a unit"),
            ("1.5d", "whole numbers"),
            ("1d,", "expected a number at ','"),
            ("1d+1h", "expected a number at '+1h'"),
            ("-1d", "cannot be negative"),
            ("--name", "an option, not a duration"),
            ("0d", "zero"),
            ("1y 0mo", "zero"),
            ("99999999999999999999999d", "too large"),
            ("4294967295y", "too large"),
        ];
        for (spec, why) in cases {
            let err = parse(spec).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid duration '{spec}': ")),
                "{spec}: {err}"
            );
            assert!(err.contains(why), "{spec}: {err}");
            assert!(!err.contains('\n'), "{spec}: {err}");
            assert_eq!(expires_after(spec, at(NOW)), Err(err), "{spec}");
        }
        assert!(GRAMMAR.contains("mo") && GRAMMAR.contains("min"));
    }

    #[test]
    fn expires_after_table() {
        let cases = [
            (NOW, "1mo", "2026-02-28T12:00:00Z"),
            (NOW, "1month", "2026-02-28T12:00:00Z"),
            (NOW, "3months", "2026-04-30T12:00:00Z"),
            (NOW, "6mo", "2026-07-31T12:00:00Z"),
            (NOW, "1y", "2027-01-31T12:00:00Z"),
            (NOW, "2years", "2028-01-31T12:00:00Z"),
            (NOW, "1y 1mo", "2027-02-28T12:00:00Z"),
            (NOW, "30d", "2026-03-02T12:00:00Z"),
            (NOW, "12h", "2026-02-01T00:00:00Z"),
            (NOW, "90min", "2026-01-31T13:30:00Z"),
            (NOW, "1h30min", "2026-01-31T13:30:00Z"),
            (NOW, "90days", "2026-05-01T12:00:00Z"),
            (NOW, "2w", "2026-02-14T12:00:00Z"),
            (NOW, " 1d 12h ", "2026-02-02T00:00:00Z"),
            (NOW, "1min", "2026-01-31T12:01:00Z"),
            (NOW, "100y", "2126-01-31T12:00:00Z"),
            // The months first, then the days: Jan 31 + 1mo is Feb 28, + 1d is Mar 1.
            (NOW, "1mo 1d", "2026-03-01T12:00:00Z"),
            // Leap years: Feb 29 exists in 2028, and a year from it clamps to Feb 28.
            ("2028-01-31T00:00:00Z", "1mo", "2028-02-29T00:00:00Z"),
            ("2028-02-29T00:00:00Z", "1y", "2029-02-28T00:00:00Z"),
            ("2026-03-31T00:00:00Z", "1mo", "2026-04-30T00:00:00Z"),
        ];
        for (now, spec, want) in cases {
            assert_eq!(expires_after(spec, at(now)), Ok(at(want)), "{now} + {spec}");
        }
    }

    #[test]
    fn expires_after_keeps_a_minute_to_a_hundred_years() {
        let now = at(NOW);
        for spec in [
            "30s",
            "59s",
            "101y",
            "1201mo",
            "36525d 1d",
            "999999y",
            "9999999999999d",
        ] {
            let err = expires_after(spec, now).unwrap_err();
            assert!(err.contains(&format!("'{spec}'")), "{spec}: {err}");
            assert!(
                err.contains("at least 1 minute") || err.contains("at most 100 years"),
                "{spec}: {err}"
            );
        }
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
    fn filters_look_ahead_and_back_on_the_calendar() {
        let now = at(NOW);
        assert_eq!(parse_span("7d", now), Ok(Duration::days(7)));
        assert_eq!(parse_span("2w", now), Ok(Duration::weeks(2)));
        assert_eq!(parse_span("1mo", now), Ok(Duration::days(28)));
        assert_eq!(parse_span("1y", now), Ok(Duration::days(365)));
        assert_eq!(
            parse_span("200y", now),
            Ok(at("2226-01-31T12:00:00Z") - now)
        );
        assert_eq!(ahead("1w", now), Ok(at("2026-02-07T12:00:00Z")));
        assert_eq!(ago("10min", now), Ok(at("2026-01-31T11:50:00Z")));
        assert_eq!(ago("2mo", now), Ok(at("2025-11-30T12:00:00Z")));
        assert_eq!(
            ago("1mo", at("2026-03-31T00:00:00Z")),
            Ok(at("2026-02-28T00:00:00Z"))
        );
        assert_eq!(ago("1y 1d", now), Ok(at("2025-01-30T12:00:00Z")));
        for spec in ["0d", "10m", "999999999y"] {
            assert!(parse_span(spec, now).is_err(), "{spec}");
            assert!(ago(spec, now).is_err(), "{spec}");
        }
    }

    #[test]
    fn relative_rounds_to_the_nearest_unit() {
        let now = at(NOW);
        let (min, h, d) = (60, 3600, 86_400);
        // (seconds from now, shown)
        let cases = [
            (0, "just now"),
            (59, "just now"),
            (-59, "just now"),
            (60, "in 1min"),
            (-60, "1min ago"),
            // A tie goes towards now.
            (90, "in 1min"),
            (91, "in 2min"),
            (-90, "1min ago"),
            (-(59 * min + 30), "59min ago"),
            (-(59 * min + 31), "1h ago"),
            (h, "in 1h"),
            (90 * min, "in 1h"),
            (90 * min + 1, "in 2h"),
            (5 * h + 59, "in 5h"),
            (-(23 * h + 30 * min), "23h ago"),
            (-(23 * h + 30 * min + 1), "1d ago"),
            (d - 5, "in 1d"),
            (36 * h, "in 1d"),
            (46 * h, "in 2d"),
            (7 * d - 5, "in 7d"),
            (29 * d + h, "in 29d"),
            (30 * d - 5, "in 30d"),
            (30 * d + 12 * h + 1, "in 31d"),
            // Two calendar months from Jan 31 is Mar 31, 59 days: days until then...
            (58 * d, "in 58d"),
            // Back from Jan 31, two months is Nov 30: 62 days.
            (-(60 * d), "60d ago"),
            (-(61 * d + 12 * h), "61d ago"),
            (-(61 * d + 12 * h + 1), "2mo ago"),
            // ...then the nearest calendar month.
            (59 * d - 12 * h, "in 58d"),
            (59 * d - 12 * h + 1, "in 2mo"),
            (59 * d, "in 2mo"),
            (-(364 * d), "1y ago"),
            (-(365 * d), "1y ago"),
            (3 * 365 * d, "in 3y"),
        ];
        for (secs, want) in cases {
            assert_eq!(
                relative(now, now + Duration::seconds(secs)),
                want,
                "{secs}s"
            );
        }
    }

    #[test]
    fn relative_counts_calendar_months_and_years() {
        // (then, shown at NOW = Jan 31 12:00)
        let cases = [
            ("2026-04-30T12:00:00Z", "in 3mo"),
            // Mar 31 and Apr 30 are equally far: the tie goes towards now.
            ("2026-04-15T12:00:01Z", "in 3mo"),
            ("2026-04-15T12:00:00Z", "in 2mo"),
            ("2025-10-31T12:00:00Z", "3mo ago"),
            ("2026-12-31T12:00:00Z", "in 11mo"),
            ("2027-01-16T12:00:01Z", "in 1y"),
            ("2027-02-28T12:00:00Z", "in 13mo"),
            ("2027-07-31T12:00:00Z", "in 18mo"),
            ("2024-07-31T12:00:00Z", "18mo ago"),
            ("2028-01-15T12:00:00Z", "in 23mo"),
            ("2028-01-31T11:00:00Z", "in 2y"),
            ("2028-07-31T12:00:00Z", "in 2y"),
            ("2028-08-31T12:00:00Z", "in 3y"),
            ("2126-01-31T12:00:00Z", "in 100y"),
        ];
        for (then, want) in cases {
            assert_eq!(relative(at(NOW), at(then)), want, "{then}");
        }
    }

    #[test]
    fn a_time_read_right_after_it_was_set_shows_what_was_asked() {
        // (set at, --expires, shown a few seconds later)
        let cases = [
            (NOW, "3mo", "in 3mo"),
            ("2026-01-31T23:59:58Z", "3mo", "in 3mo"),
            ("2026-02-28T00:00:00Z", "3mo", "in 3mo"),
            (NOW, "2mo", "in 2mo"),
            (NOW, "6mo", "in 6mo"),
            (NOW, "11mo", "in 11mo"),
            (NOW, "1y", "in 1y"),
            (NOW, "1y 6mo", "in 18mo"),
            (NOW, "2y", "in 2y"),
            (NOW, "100y", "in 100y"),
            (NOW, "30d", "in 30d"),
            (NOW, "45d", "in 45d"),
            (NOW, "7d", "in 7d"),
            (NOW, "1d", "in 1d"),
            (NOW, "12h", "in 12h"),
            (NOW, "1h", "in 1h"),
            // One unit: a half is a tie, and ties go towards now, then and a moment later.
            (NOW, "36h", "in 1d"),
            (NOW, "90min", "in 1h"),
            (NOW, "10min", "in 10min"),
            // A month reads as what was asked, though it has 28 days (Jan 31 + 1mo)...
            (NOW, "1mo", "in 1mo"),
            ("2026-03-31T12:00:00Z", "1mo", "in 1mo"),
            // ...and 30 days as days, unless they happen to be a calendar month.
            (NOW, "30d", "in 30d"),
            ("2026-11-01T12:00:00Z", "30d", "in 1mo"),
        ];
        for (set_at, spec, want) in cases {
            let t = expires_after(spec, at(set_at)).unwrap();
            for lag in [0, 5, 29] {
                let read_at = at(set_at) + Duration::seconds(lag);
                assert_eq!(
                    relative(read_at, t),
                    want,
                    "{spec} set at {set_at}, read {lag}s later"
                );
            }
        }
    }

    #[test]
    fn relative_never_writes_a_bare_m() {
        let now = at(NOW);
        // Every unit and band: a geometric walk from a second to ~130 years.
        let mut secs: i64 = 1;
        while secs < 4_000_000_000 {
            for t in [now + Duration::seconds(secs), now - Duration::seconds(secs)] {
                let shown = relative(now, t);
                let words: Vec<&str> = shown.split(' ').collect();
                assert!(words.iter().all(|w| !w.ends_with('m')), "{secs}s: {shown}");
            }
            secs = secs * 11 / 10 + 1;
        }
        assert_eq!(relative(now, now + Duration::minutes(5)), "in 5min");
        assert!(relative(now, DateTime::<Utc>::MAX_UTC).starts_with("in "));
        assert!(relative(now, DateTime::<Utc>::MIN_UTC).ends_with(" ago"));
        assert!(relative(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC).starts_with("in "));
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
