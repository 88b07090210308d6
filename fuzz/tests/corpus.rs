//! Replays the seed corpus of every fuzz target (`fuzz/corpus/<target>/*`) as
//! regression tests: each file goes through its target's body, which panics when an
//! invariant breaks. Minimised crashes found by `fuzz/run.sh` belong in the same
//! directories once fixed, so they stay fixed.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use cvconnect_fuzz::{target, TARGETS};

/// Fewest seeds a target ships with.
const MIN_SEEDS: usize = 10;

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_replays_through_its_target() {
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, body) in TARGETS {
        let files = files_of(&corpus_root().join(name));
        assert!(
            files.len() >= MIN_SEEDS,
            "fuzz/corpus/{name} has {} files, at least {MIN_SEEDS} expected",
            files.len()
        );
        for file in &files {
            let data = fs::read(file).expect("corpus file");
            if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
                failures.push(file.display().to_string());
            }
        }
        println!("fuzz corpus {name}: {} files replayed", files.len());
        total += files.len();
    }
    println!(
        "fuzz corpus: {total} files replayed, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "corpus files failing: {failures:#?}");
}

#[test]
fn every_corpus_directory_names_a_target() {
    for entry in fs::read_dir(corpus_root()).expect("fuzz/corpus") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            path.is_dir() && target(&name).is_some(),
            "fuzz/corpus/{name} is not a target"
        );
    }
}

#[test]
fn every_target_has_a_cargo_fuzz_binary() {
    let libfuzzer = Path::new(env!("CARGO_MANIFEST_DIR")).join("libfuzzer");
    let targets = libfuzzer.join("fuzz_targets");
    let manifest =
        fs::read_to_string(libfuzzer.join("Cargo.toml")).expect("fuzz/libfuzzer/Cargo.toml");
    for (name, _) in TARGETS {
        let source = fs::read_to_string(targets.join(format!("{name}.rs")))
            .unwrap_or_else(|e| panic!("fuzz/libfuzzer/fuzz_targets/{name}.rs: {e}"));
        assert!(
            source.contains(&format!("cvconnect_fuzz::{name}(")),
            "fuzz/libfuzzer/fuzz_targets/{name}.rs does not call cvconnect_fuzz::{name}"
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/libfuzzer/Cargo.toml has no [[bin]] {name}"
        );
    }
}

/// The seeds reach the accepting paths, not only the refusals: a corpus of rejects
/// would leave the round-trip invariants untested.
#[test]
fn seeds_reach_the_accepting_paths() {
    use cvconnect_core::amount::Amount;
    use cvconnect_core::crypto::seal::open_sealed_pin;
    use cvconnect_core::protocol::canonical::ConfirmationFields;
    use cvconnect_core::protocol::push::parse_push_json;
    use cvconnect_core::protocol::wire::{ConfirmResponse, ErrorBody, PaymentDetail};
    use cvconnect_fuzz::{seal_key, SEAL_NONCE, SEAL_PAYMENT_ID};

    let read = |target: &str, name: &str| {
        fs::read(corpus_root().join(target).join(name))
            .unwrap_or_else(|e| panic!("fuzz/corpus/{target}/{name}: {e}"))
    };
    let text = |target: &str, name: &str| String::from_utf8(read(target, name)).unwrap();

    assert!(parse_push_json(&text("push", "real_apns.json")).is_ok());
    assert!(parse_push_json(&text("push", "real_fcm_data.json")).is_ok());
    assert_eq!(
        Amount::parse_user(&text("amount", "user_grouped_nnbsp.txt")),
        Ok(Amount::from_cents(123_456))
    );
    let confirmation = ConfirmationFields::decode(&read("canonical", "vector_confirmation.bin"))
        .expect("the confirmation vector decodes");
    assert_eq!(confirmation.payee_name, "Boutique Démo");
    assert!(
        ConfirmationFields::decode(&read("canonical", "real_sandbox_confirmation.bin")).is_some()
    );
    let pin = open_sealed_pin(
        seal_key(),
        &read("sealed_pin", "vector_block.bin"),
        SEAL_PAYMENT_ID,
        SEAL_NONCE,
    )
    .expect("the vector block opens");
    assert_eq!(&pin[..], b"4827");
    serde_json::from_slice::<PaymentDetail>(&read("responses", "real_detail_pending_200.json"))
        .expect("a real payment detail decodes");
    serde_json::from_slice::<ConfirmResponse>(&read(
        "responses",
        "real_confirm_partially_authorised_200.json",
    ))
    .expect("a real confirm answer decodes");
    let error: ErrorBody =
        serde_json::from_slice(&read("responses", "real_authentication_failed_403.json")).unwrap();
    assert_eq!(error.error.attempts_left, Some(2));
    attestation_seeds_verify(&read);
}

/// The vector's evidence, as seeds, is accepted at its level, so the target's binding
/// invariants run; the KeyDescription seed parses.
fn attestation_seeds_verify(read: &dyn Fn(&str, &str) -> Vec<u8>) {
    use cvconnect_fuzz::{attestation_vector, AttestationInput};
    use cvconnect_sandbox::attestation::android::key_description;
    use cvconnect_sandbox::attestation::{Evidence, SecurityLevel};

    let level = |name: &str| {
        let data = read("attestation", name);
        let evidence = match AttestationInput::decode(&data) {
            AttestationInput::Android(parts) => {
                let chain: Vec<Vec<u8>> = parts.iter().map(|der| der.to_vec()).collect();
                attestation_vector().verify(Evidence::AndroidKey { chain: &chain })
            }
            AttestationInput::Apple { key_id, object } => {
                attestation_vector().verify(Evidence::AppleAppAttest {
                    key_id,
                    attestation_object: object,
                })
            }
            AttestationInput::KeyDescription(_) => panic!("{name} is not evidence"),
        };
        evidence.unwrap_or_else(|e| panic!("{name}: {e}")).level
    };
    assert_eq!(level("android_vector_chain.bin"), SecurityLevel::StrongBox);
    assert_eq!(
        level("android_vector_without_root.bin"),
        SecurityLevel::StrongBox
    );
    assert_eq!(level("apple_vector.bin"), SecurityLevel::SecureEnclave);
    let data = read("attestation", "key_description_vector.bin");
    let AttestationInput::KeyDescription(der) = AttestationInput::decode(&data) else {
        panic!("key_description_vector.bin is not a KeyDescription");
    };
    let description = key_description::parse(der).expect("the leaf's KeyDescription parses");
    assert_eq!(
        description.attestation_challenge,
        attestation_vector().challenge
    );
}
