//! Android Key Attestation verified by the sandbox (issue 18), on real chains built by
//! the test kit: the valid StrongBox and TEE cases, then one refusal per check, each
//! asserting its exact typed reason, and garbage that must be refused without a panic.

use cvconnect_sandbox::attestation::android::{
    self, key_description, revoked_serials_from_status_json, AndroidError,
};
use cvconnect_sandbox::attestation::{
    self as attestation, AndroidPolicy, AttestationConfig, AttestationError, AttestedPlatform,
    ChainError, SecurityLevel, Verified,
};
use AndroidError::Chain;
use ChainError::{BadSignature, Empty, Expired, Malformed, NotYetValid, TooLong, UntrustedRoot};

use cvconnect_testkit::attestation::android::{
    fresh_device_spki, status_list_json, test_policy, AndroidAttestation, AndroidChainBuilder,
    ALGORITHM_RSA, LEVEL_SOFTWARE, LEVEL_STRONGBOX, LEVEL_TRUSTED_ENVIRONMENT, PACKAGE_NAME,
    PURPOSE_AGREE_KEY, PURPOSE_SIGN, PURPOSE_VERIFY, SIGNING_CERT_DIGEST,
};

/// 2026-05-28T20:26:40Z: every chain is built and verified at this instant.
const NOW: i64 = 1_780_000_000;
const DAY: i64 = 24 * 60 * 60;
const CHALLENGE: &[u8] = b"enrollment challenge: 32 random bytes";

/// One enrolling device: its key and a builder of its attestation, valid by default.
struct Device {
    spki: Vec<u8>,
}

impl Device {
    fn new() -> Device {
        Device {
            spki: fresh_device_spki(),
        }
    }

    fn chain(&self) -> AndroidChainBuilder {
        AndroidChainBuilder::new(&self.spki, CHALLENGE).at(NOW)
    }

    fn verify_with(
        &self,
        policy: &AndroidPolicy,
        attestation: &AndroidAttestation,
    ) -> Result<Verified, AndroidError> {
        android::verify(policy, &attestation.chain, CHALLENGE, &self.spki, NOW)
    }

    fn verify(&self, attestation: &AndroidAttestation) -> Result<Verified, AndroidError> {
        self.verify_with(&test_policy(), attestation)
    }

    /// The refusal of the chain `knob` makes out of a valid one.
    fn refusal(
        &self,
        knob: impl FnOnce(AndroidChainBuilder) -> AndroidChainBuilder,
    ) -> AndroidError {
        let attestation = knob(self.chain()).build();
        self.verify(&attestation).expect_err("refused")
    }

    fn verify_chain(&self, chain: Vec<Vec<u8>>) -> Result<Verified, AndroidError> {
        android::verify(&test_policy(), &chain, CHALLENGE, &self.spki, NOW)
    }
}

fn android(level: SecurityLevel) -> Verified {
    Verified {
        platform: AttestedPlatform::Android,
        level,
    }
}

#[test]
fn attestation_android_hardware_keys_verify_at_their_level() {
    type Knob = fn(AndroidChainBuilder) -> AndroidChainBuilder;
    let cases: [(&str, Knob, SecurityLevel); 4] = [
        ("StrongBox", |chain| chain, SecurityLevel::StrongBox),
        (
            "TEE",
            AndroidChainBuilder::tee,
            SecurityLevel::TrustedEnvironment,
        ),
        (
            "StrongBox attested by the TEE: the lower level",
            |chain| chain.levels(LEVEL_STRONGBOX, LEVEL_TRUSTED_ENVIRONMENT),
            SecurityLevel::TrustedEnvironment,
        ),
        (
            "a key to sign and verify",
            |chain| chain.purposes(&[PURPOSE_SIGN, PURPOSE_VERIFY]),
            SecurityLevel::StrongBox,
        ),
    ];
    let device = Device::new();
    for (case, knob, level) in cases {
        let attestation = knob(device.chain()).build();
        assert_eq!(device.verify(&attestation), Ok(android(level)), "{case}");
    }
}

#[test]
fn attestation_android_verifies_through_the_platform_entry_point() {
    let device = Device::new();
    let attestation = device.chain().build();
    let mut config = AttestationConfig::default();
    let verify = |config: &AttestationConfig| {
        attestation::verify(config, attestation.evidence(), CHALLENGE, &device.spki, NOW)
    };
    assert!(matches!(
        verify(&config),
        Err(AttestationError::NotConfigured)
    ));
    config.android = Some(test_policy());
    assert_eq!(verify(&config).unwrap(), android(SecurityLevel::StrongBox));
}

#[test]
fn attestation_android_refuses_another_challenge() {
    let device = Device::new();
    let refusal = device.refusal(|chain| chain.challenge(b"a challenge of yesterday"));
    assert_eq!(refusal, AndroidError::ChallengeMismatch);
}

#[test]
fn attestation_android_refuses_a_chain_for_another_key() {
    let device = Device::new();
    let other = fresh_device_spki();
    assert_eq!(
        device.refusal(|chain| chain.certified_key(&other)),
        AndroidError::KeyMismatch
    );
}

#[test]
fn attestation_android_refuses_a_software_security_level() {
    let device = Device::new();
    assert_eq!(
        device.refusal(|chain| chain.software()),
        AndroidError::SoftwareLevel {
            attestation: LEVEL_SOFTWARE,
            keymint: LEVEL_SOFTWARE
        }
    );
    assert_eq!(
        device.refusal(|chain| chain.levels(LEVEL_STRONGBOX, LEVEL_SOFTWARE)),
        AndroidError::SoftwareLevel {
            attestation: LEVEL_STRONGBOX,
            keymint: LEVEL_SOFTWARE
        }
    );
}

#[test]
fn attestation_android_refuses_another_package() {
    let device = Device::new();
    let refusal = device.refusal(|chain| chain.package("fr.ancv.cvconnect.repackaged"));
    assert_eq!(refusal, AndroidError::WrongPackage);
}

#[test]
fn attestation_android_refuses_another_signing_certificate() {
    let device = Device::new();
    let mut digest = SIGNING_CERT_DIGEST;
    digest[31] ^= 1;
    let refusal = device.refusal(|chain| chain.signing_digest(&digest));
    assert_eq!(refusal, AndroidError::WrongSigningDigest);
}

#[test]
fn attestation_android_refuses_an_unlocked_bootloader() {
    let device = Device::new();
    let refusal = device.refusal(|chain| chain.unlocked_bootloader());
    assert_eq!(refusal, AndroidError::BootloaderUnlocked);
}

#[test]
fn attestation_android_refuses_an_unverified_boot() {
    let device = Device::new();
    let refusal = device.refusal(|chain| chain.unverified_boot());
    assert_eq!(refusal, AndroidError::UnverifiedBoot { state: 2 });
}

#[test]
fn attestation_android_refuses_an_expired_or_not_yet_valid_certificate() {
    let device = Device::new();
    let expired = device.refusal(|chain| chain.expired());
    assert_eq!(expired, Chain(Expired { index: 1 }));
    let future = device.refusal(|chain| chain.at(NOW + 60 * DAY));
    assert_eq!(future, Chain(NotYetValid { index: 1 }));
}

#[test]
fn attestation_android_refuses_a_revoked_attestation_key() {
    let device = Device::new();
    let attestation = device.chain().build();
    let serial = attestation.intermediate_serial().to_owned();
    let mut policy = test_policy();
    policy.revoked_serials.insert(serial.clone());
    assert_eq!(
        device.verify_with(&policy, &attestation),
        Err(AndroidError::Revoked { serial })
    );
}

#[test]
fn attestation_android_refuses_keys_revoked_or_suspended_in_googles_status_list() {
    let device = Device::new();
    let revoked = device.chain().build();
    let suspended = device.chain().build();
    let json = status_list_json(
        &[revoked.intermediate_serial(), "2c8cdddfd5e03bfc"],
        &[suspended.intermediate_serial()],
    );
    let mut policy = test_policy();
    policy.revoked_serials = revoked_serials_from_status_json(&json).unwrap();
    for attestation in [&revoked, &suspended] {
        let serial = attestation.intermediate_serial().to_owned();
        let refusal = device.verify_with(&policy, attestation);
        assert_eq!(refusal, Err(AndroidError::Revoked { serial }));
    }
    assert!(device.verify_with(&policy, &device.chain().build()).is_ok());
}

#[test]
fn attestation_android_status_list_is_read_in_googles_format_only() {
    let json = r#"{"entries": {"00C8966FCB2FBB0D7A": {"status": "SUSPENDED",
        "reason": "SOFTWARE_FLAW", "comment": "Bug in keystore"}}}"#;
    let serials = revoked_serials_from_status_json(json).unwrap();
    assert_eq!(
        serials.into_iter().collect::<Vec<_>>(),
        ["c8966fcb2fbb0d7a"]
    );
    for not_the_format in ["", "[]", r#"{"entries": []}"#, r#"{"entries": {"1f": {}}}"#] {
        assert!(revoked_serials_from_status_json(not_the_format).is_err());
    }
}

#[test]
fn attestation_android_refuses_a_chain_under_another_root() {
    let device = Device::new();
    let refusal = device.refusal(|chain| chain.rogue_root());
    assert_eq!(refusal, Chain(UntrustedRoot));
}

#[test]
fn attestation_android_refuses_a_key_for_other_purposes_or_algorithms() {
    let device = Device::new();
    let agree = device.refusal(|chain| chain.purposes(&[PURPOSE_SIGN, PURPOSE_AGREE_KEY]));
    assert_eq!(
        agree,
        AndroidError::WrongPurpose {
            purposes: vec![PURPOSE_SIGN, PURPOSE_AGREE_KEY]
        }
    );
    let verify_only = device.refusal(|chain| chain.purposes(&[PURPOSE_VERIFY]));
    assert_eq!(
        verify_only,
        AndroidError::WrongPurpose {
            purposes: vec![PURPOSE_VERIFY]
        }
    );
    let rsa = device.refusal(|chain| chain.algorithm(ALGORITHM_RSA));
    assert_eq!(
        rsa,
        AndroidError::WrongAlgorithm {
            algorithm: Some(ALGORITHM_RSA)
        }
    );
}

#[test]
fn attestation_android_refuses_truncated_chains() {
    let device = Device::new();
    let chain = device.chain().build().chain;
    let refusal = |certs: Vec<Vec<u8>>| device.verify_chain(certs).expect_err("refused");
    assert_eq!(refusal(vec![]), Chain(Empty));
    let leaf_only = refusal(chain[..1].to_vec());
    assert_eq!(leaf_only, Chain(UntrustedRoot));
    let no_intermediate = refusal(vec![chain[0].clone(), chain[2].clone()]);
    assert_eq!(no_intermediate, Chain(BadSignature { index: 0 }));
    let too_long = refusal(vec![chain[0].clone(); 7]);
    assert_eq!(too_long, Chain(TooLong { len: 7 }));
}

#[test]
fn attestation_android_refuses_garbage_without_panicking() {
    let device = Device::new();
    let chain = device.chain().build().chain;
    let garbage = device.verify_chain(vec![b"not a certificate".to_vec()]);
    assert_eq!(garbage, Err(Chain(Malformed { index: 0 })));
    let mut trailing = chain.clone();
    trailing[1].push(0);
    let trailing = device.verify_chain(trailing);
    assert_eq!(trailing, Err(Chain(Malformed { index: 1 })));
    for index in 0..chain.len() {
        for len in 0..chain[index].len() {
            let mut cut = chain.clone();
            cut[index].truncate(len);
            assert!(
                device.verify_chain(cut).is_err(),
                "cert {index} cut at {len}"
            );
        }
        for byte in 0..chain[index].len() {
            let mut flipped = chain.clone();
            flipped[index][byte] ^= 0x80;
            assert!(
                device.verify_chain(flipped).is_err(),
                "cert {index} flipped at {byte}"
            );
        }
    }
}

#[test]
fn attestation_android_refuses_a_missing_or_malformed_key_description() {
    let device = Device::new();
    let missing = device.refusal(|chain| chain.raw_key_description(None));
    assert_eq!(missing, AndroidError::MissingKeyDescription);
    let valid = device.chain().key_description();
    for len in 0..valid.len() {
        let cut = valid[..len].to_vec();
        let refusal = device.refusal(|chain| chain.raw_key_description(Some(cut)));
        assert!(
            matches!(refusal, AndroidError::MalformedKeyDescription(_)),
            "cut at {len}: {refusal:?}"
        );
    }
}

#[test]
fn attestation_android_key_description_reads_the_published_schema() {
    let device = Device::new();
    let der = device.chain().tee().key_description();
    let description = key_description::parse(&der).unwrap();
    assert_eq!(description.attestation_version, 300);
    assert_eq!(
        description.attestation_security_level,
        LEVEL_TRUSTED_ENVIRONMENT
    );
    assert_eq!(description.keymint_version, 300);
    assert_eq!(description.attestation_challenge, CHALLENGE);
    assert_eq!(description.unique_id, b"");
    let hardware = &description.hardware_enforced;
    assert_eq!(hardware.purpose, Some(vec![PURPOSE_SIGN]));
    assert_eq!(
        (hardware.algorithm, hardware.key_size, hardware.ec_curve),
        (Some(3), Some(256), Some(1))
    );
    let root = hardware.root_of_trust.as_ref().unwrap();
    assert_eq!((root.device_locked, root.verified_boot_state), (true, 0));
    assert_eq!(root.verified_boot_hash.map(<[u8]>::len), Some(32));
    let software = &description.software_enforced;
    assert_eq!(software.purpose, None);
    let application = software.attestation_application_id.as_ref().unwrap();
    assert_eq!(
        application.package_infos[0].package_name,
        PACKAGE_NAME.as_bytes()
    );
    assert_eq!(application.package_infos[0].version, 1);
    assert_eq!(application.signature_digests, [&SIGNING_CERT_DIGEST[..]]);
}
