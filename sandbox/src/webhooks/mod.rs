//! Merchant notifications (protocol §8.1): every move of a payment request to a final
//! status writes an event in the same transaction (an outbox), so that a crash loses
//! none; a worker then POSTs it, signed with the merchant's secret, and retries with
//! exponential backoff until a 2xx or the retry period ends. Delivery is at least once:
//! the event id lets the merchant drop duplicates.
//!
//! - [`events`]: the outbox rows, written by `crate::store::payments`;
//! - [`delivery`]: the worker (signature, retries, faults `webhook:<merchant_id>`);
//! - [`sweeper`]: expires the requests nobody reads, so their event is sent too;
//! - [`stream`]: the same events as server-sent events, for the checkout page;
//! - [`routes`]: the delivery log (admin) and the merchant's notification URL.

pub mod delivery;
pub mod events;
pub mod routes;
pub mod stream;
pub mod sweeper;

/// An event once committed, as the checkout page's streams receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedEvent {
    pub payment_id: String,
    /// The event's JSON, as delivered to the merchant.
    pub body: String,
}

/// Longest notification URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// Whether `url` may receive notifications: an absolute `http` or `https` URL with a
/// host, at most [`MAX_URL_LEN`] bytes, without spaces or control characters. Loopback
/// hosts are accepted: this is a sandbox, and its tests receive on loopback.
pub fn is_valid_url(url: &str) -> bool {
    if url.is_empty()
        || url.len() > MAX_URL_LEN
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    match reqwest::Url::parse(url) {
        Ok(parsed) => {
            matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some_and(|h| !h.is_empty())
                && parsed.username().is_empty()
                && parsed.password().is_none()
        }
        Err(_) => false,
    }
}

/// The wall clock in milliseconds, for the retry schedule (the sandbox's injectable
/// clock dates events; retries run in real time).
pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::is_valid_url;

    #[test]
    fn only_http_urls_with_a_host() {
        for good in [
            "http://127.0.0.1:8080/hook",
            "https://shop.example.fr/cvc/notify?x=1",
        ] {
            assert!(is_valid_url(good), "{good}");
        }
        let long = format!("https://example.fr/{}", "a".repeat(2048));
        for bad in [
            "",
            "ftp://example.fr/",
            "javascript:alert(1)",
            "http://",
            "https://user:pw@example.fr/",
            "https://example.fr/a b",
            "/relative",
            long.as_str(),
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }
}
