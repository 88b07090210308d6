//! What figure 1c's section and summary rows say: each design in milliseconds and in
//! round trips, its device-key signatures, and the floor the relay allows.

use std::fmt::Write as _;

use super::{in_rtt, ColdPush, DesignRun, COLD_GOAL_RTT, ONE_WAY, RTT, SIGNATURE_GOAL};
use crate::report::{verdict, Figure, Row};
use crate::stats::{human, Samples};

impl DesignRun {
    fn figure(&self) -> String {
        format!("1c. Push to screen, cold, over TLS ({})", self.design.label)
    }

    /// "1 signature", or the range seen over the runs.
    fn signatures_text(&self) -> String {
        let (Some(min), Some(max)) = (self.signatures.iter().min(), self.signatures.iter().max())
        else {
            return "no run".into();
        };
        let plural = if *max == 1 { "" } else { "s" };
        if min == max {
            format!("{min} device-key signature{plural}")
        } else {
            format!("{min} to {max} device-key signatures")
        }
    }

    /// Whether every run made exactly [`SIGNATURE_GOAL`] signatures.
    fn signature_goal_met(&self) -> bool {
        !self.signatures.is_empty() && self.signatures.iter().all(|&n| n == SIGNATURE_GOAL)
    }
}

/// "12.3 ms = 0.25 RTT".
fn both(d: std::time::Duration) -> String {
    format!("{} = {:.2} RTT", human(d), in_rtt(d))
}

impl Figure for ColdPush {
    const TITLE: &'static str = "1c. Push to screen, cold, over TLS";
    const GOAL: &'static str = "≤ 3 RTT median (RTT 50 ms), one signature";

    const INTRO: &'static str = "## 1c. Push to screen, cold, over TLS\n\n\
         The case a phone usually meets: the app was killed long ago, no token is held and no\n\
         connection is open. A sandbox of its own serves TLS (`--tls`, a self-signed\n\
         certificate whose SPKI the client pins), behind a relay on 127.0.0.1 that holds every\n\
         chunk 25 ms in each direction before passing it on, in order (`bench/src/delay_proxy.rs`;\n\
         Linux netem is not available here). So one round trip (RTT) costs 50 ms, and so does\n\
         TCP's handshake: the relay passes the client's first bytes on only one RTT after it\n\
         accepted the connection. Each run the merchant API creates a payment and its push is\n\
         read from the sandbox's feed (not timed); then, timed: a fresh `Client::new` on the\n\
         enrolled data folder, `open_from_push(push)` and `view()`. The client is dropped\n\
         after each run, so each opens new connections. The two ways the core can\n\
         authenticate its requests (`ClientConfig::request_auth`) are measured in turns in\n\
         the same run, on the same device. Its key is a software P-256 key wrapped in a\n\
         signer that counts its signatures.\n\n";

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for run in &self.runs {
            let Some(open) = run.open.summary() else {
                continue;
            };
            let median = in_rtt(open.median);
            let (goal, status) = if run.design.reference {
                (
                    "— (today's v1, measured beside)".into(),
                    "informative".into(),
                )
            } else {
                let mut status = verdict(median, COLD_GOAL_RTT, |x| format!("{x:.1} RTT"));
                if !run.signature_goal_met() {
                    status.push_str("; **signatures: not one**");
                }
                (Self::GOAL.into(), status)
            };
            rows.push(Row {
                figure: run.figure(),
                result: format!(
                    "{} / {} = **{median:.1} RTT** / {:.1} RTT; {}",
                    human(open.median),
                    human(open.p99),
                    in_rtt(open.p99),
                    run.signatures_text()
                ),
                goal,
                status,
            });
        }
        rows
    }

    fn operations(&self) -> Vec<(String, &Samples)> {
        let mut operations: Vec<(String, &Samples)> = self
            .runs
            .iter()
            .map(|run| {
                let label = format!("Client::new + open_from_push + view ({})", run.design.label);
                (label, &run.open)
            })
            .collect();
        operations.push((
            "GET /healthz on an open connection (1 RTT)".into(),
            &self.warm_get,
        ));
        operations.push((
            "GET /healthz by a new client (TCP + TLS + request)".into(),
            &self.fresh_get,
        ));
        operations
    }

    fn details(&self, out: &mut String) {
        out.push_str(
            "| Design | Round trips on the cold path | Median | p99 | Device-key signatures |\n\
             |---|---|---|---|---|\n",
        );
        for run in &self.runs {
            let Some(open) = run.open.summary() else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {} | **{:.1} RTT** ({}) | {:.1} RTT ({}) | {} |",
                run.design.label,
                run.design.path,
                in_rtt(open.median),
                human(open.median),
                in_rtt(open.p99),
                human(open.p99),
                run.signatures_text()
            );
        }
        out.push('\n');
        self.floor(out);
        self.comparison(out);
        self.signatures(out);
        out.push_str(BELOW_THREE);
    }
}

/// What 2 RTT (the stretch goal) would take: not built, see ADR 0007.
const BELOW_THREE: &str =
    "**Below 3 RTT, what it would take** (the stretch goal is 2; not built). \
TCP's handshake and TLS 1.3's full handshake are one round trip each before the request's \
own. TLS 1.3 resumption alone saves the certificate checks, not a round trip; it is early \
data (0-RTT, RFC 8446 §2.3) that does: the client keeps the session ticket of its last \
connection and sends the request in its first flight, beside the ClientHello, for TCP + 1 \
RTT = 2 RTT. It needs (1) the server to issue tickets that allow early data and to accept it \
(rustls: `ServerConfig::send_tls13_tickets`, `max_early_data_size`); (2) the phone to keep \
its tickets across process restarts, since a cold push finds the app killed: a rustls \
`ClientSessionStore` (`Resumption::store`) receives them as values with no public encoding \
(rustls 0.23), so they cannot be written to the app's data folder without changing the TLS \
stack, and on disk they would be a secret to protect like the key store's; (3) an HTTP client that \
writes the request as early data: rustls has `ClientConfig::enable_early_data` and \
`ClientConnection::early_data()`, but neither reqwest nor hyper's client writes a request \
into it, so it means a connector of our own over tokio-rustls; (4) a request safe to \
replay, since early data can be replayed by the network (RFC 8446 §8): the detail is a \
read, and its request proof is single use, so a replayed copy is refused by the replay \
cache, and its answer is encrypted under keys the replaying party cannot derive. The gain is one round trip \
on the first read of a cold start only, against a ticket on disk and a transport of our \
own; ADR 0007 leaves it for a measurement on devices.\n\n";

impl ColdPush {
    /// What the relay allows: one round trip as measured, and a new connection.
    fn floor(&self, out: &mut String) {
        let (Some(warm), Some(fresh)) = (self.warm_get.summary(), self.fresh_get.summary()) else {
            return;
        };
        let _ = writeln!(
            out,
            "The relay as measured: one GET on an open connection takes {} at the median (the\n\
             nominal RTT is {}: {} held each way, plus the relay's threads waking up, the\n\
             loopback and the server's work); a GET by a new client, {}: TCP, the TLS 1.3\n\
             handshake and the request, the floor of any design that must connect before it\n\
             asks. RTT figures divide by the nominal {}.\n",
            both(warm.median),
            human(RTT),
            human(ONE_WAY),
            both(fresh.median),
            human(RTT)
        );
    }

    /// The new design against the goal and against today's.
    fn comparison(&self, out: &mut String) {
        let median = |run: &DesignRun| run.open.summary().map(|s| s.median);
        let new = self.runs.iter().find(|r| !r.design.reference);
        let old = self.runs.iter().find(|r| r.design.reference);
        let (Some(new), Some(new_median)) = (new, new.and_then(median)) else {
            return;
        };
        let rtt = in_rtt(new_median);
        let _ = write!(
            out,
            "{}: **{rtt:.1} RTT** at the median, goal ≤ {COLD_GOAL_RTT} RTT: {}.",
            new.design.label,
            verdict(rtt, COLD_GOAL_RTT, |x| format!("{x:.1} RTT"))
        );
        if let Some(old_median) = old.and_then(median) {
            let saved = old_median.saturating_sub(new_median);
            let _ = write!(
                out,
                " Against {} ({:.1} RTT) it saves {} ({:.1} RTT) per cold push.",
                old.map(|o| o.design.label).unwrap_or_default(),
                in_rtt(old_median),
                human(saved),
                in_rtt(saved)
            );
        }
        if let Some(fresh) = self.fresh_get.summary() {
            let _ = write!(
                out,
                " Above the floor of a new connection ({:.2} RTT), the core adds {}.",
                in_rtt(fresh.median),
                both(new_median.saturating_sub(fresh.median))
            );
            let near_floor = new_median.saturating_sub(fresh.median) < RTT / 2;
            if in_rtt(fresh.median) > COLD_GOAL_RTT && near_floor {
                out.push_str(
                    " The floor itself is over 3 RTT: each round trip here costs a little more \
                     than 50 ms (the relay's wake-ups, the loopback, the server's work), so no \
                     design that must connect and make one request reaches 3.0 exactly; a median \
                     this close to the floor means the same three round trips (TCP, TLS 1.3, the \
                     request).",
                );
            }
        }
        out.push_str("\n\n");
    }

    fn signatures(&self, out: &mut String) {
        out.push_str("Device-key signatures on the cold path (goal: exactly one; a StrongBox key takes tens of ms per signature):\n\n");
        for run in &self.runs {
            let _ = writeln!(
                out,
                "- {}: {} per run ({} runs){}.",
                run.design.label,
                run.signatures_text(),
                run.signatures.len(),
                if run.signature_goal_met() {
                    ", goal met"
                } else {
                    ""
                }
            );
        }
        out.push('\n');
    }
}
