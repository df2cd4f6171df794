//! What the product decides, apart from how it is shown: when an expiry is near, when
//! failed attempts are recent, how many warnings a list prints. One place to change them.

use crate::store::{TokenRecord, TokenStatus};
use crate::time::Timestamp;

/// Tokens that expire this soon are flagged in `list` and warned about by `verify`;
/// failed attempts this recent are called out under the table.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

/// At most this many failed-attempt warnings under `list`'s table; the log has the rest.
pub const FAILURE_WARNINGS: usize = 3;

pub fn expires_soon(t: &TokenRecord, now: Timestamp, status: TokenStatus) -> bool {
    status == TokenStatus::Active
        && t.expires_at
            .is_some_and(|at| at - now <= chrono::Duration::days(EXPIRY_WARNING_DAYS))
}

/// Failed verify attempts within the warning window: someone holds a wrong or retired
/// secret for this id right now.
pub fn failing_recently(t: &TokenRecord, now: Timestamp) -> bool {
    t.last_failed_at
        .is_some_and(|at| now - at <= chrono::Duration::days(EXPIRY_WARNING_DAYS))
}
