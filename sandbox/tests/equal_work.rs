//! Issue 15, item 4: before it answers, a merchant create does the same work for a
//! known account with devices as for an unknown account. Not timed: SQLite itself
//! reports, per create, the statements run (their SQL, in order), the rows changed and
//! the virtual machine steps; the sandbox logs them at debug level.
//!
//! Wall-time statistics belong to a benchmark (see docs/security.md §2.4).

mod common;

use common::*;

/// The fields of one "payment request work" line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Work {
    statements: String,
    sql: String,
    changes: String,
    vm_steps: i64,
}

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let start = line
        .find(&format!(" {name}="))
        .unwrap_or_else(|| panic!("{name} in {line}"))
        + name.len()
        + 2;
    line[start..].split(' ').next().unwrap()
}

fn last_work(logs: &Logs) -> Work {
    let text = logs.text();
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("payment request work"))
        .expect("a work line");
    Work {
        statements: field(line, "statements").to_owned(),
        sql: field(line, "sql").to_owned(),
        changes: field(line, "changes").to_owned(),
        vm_steps: field(line, "vm_steps").parse().unwrap(),
    }
}

#[tokio::test]
async fn known_and_unknown_accounts_cost_the_same_work_before_the_answer() {
    let logs = Logs::capture();
    let world = start().await;
    let (phone, tablet) = (
        world.device(DEMO_EMAIL).await,
        world.device(DEMO_EMAIL).await,
    );
    // Interleaved: known e-mail, unknown e-mail, known number, unknown number.
    let forms = [
        (DEMO_EMAIL, "inconnu.total@example.fr"),
        (DEMO_ACCOUNT_NUMBER, "99999999999"),
    ];
    let mut max_step_gap = 0;
    for round in 0..10 {
        for (known, unknown) in forms {
            world.create_payment(known, "30.00").await.unwrap();
            let known_work = last_work(&logs);
            world.create_payment(unknown, "30.00").await.unwrap();
            let unknown_work = last_work(&logs);
            assert_eq!(
                (&known_work.statements, &known_work.sql, &known_work.changes),
                (
                    &unknown_work.statements,
                    &unknown_work.sql,
                    &unknown_work.changes
                ),
                "round {round}, {known} / {unknown}"
            );
            max_step_gap = max_step_gap.max((known_work.vm_steps - unknown_work.vm_steps).abs());
        }
    }
    // What remains is an index hit against a miss and a foreign key check: a couple of
    // virtual machine steps out of hundreds, nanoseconds.
    assert!(max_step_gap <= 8, "step gap {max_step_gap}");
    println!("largest VM step gap between a known and an unknown account: {max_step_gap}");
    // The known account's devices are notified all the same, after the answer.
    for device in [&phone, &tablet] {
        let feed = world.pushes(Some(&device.device_id), 5_000).await;
        assert_eq!(feed.notifications.len(), 20);
    }
}
