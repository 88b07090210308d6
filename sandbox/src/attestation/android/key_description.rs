//! The Keystore's KeyDescription extension (OID 1.3.6.1.4.1.11129.2.1.17), parsed with
//! asn1-rs from untrusted DER.
//!
//! # Why by hand
//!
//! The schema (source.android.com/docs/security/features/keystore/attestation#schema)
//! grows with each Keymaster/KeyMint version (attestation versions 1, 2, 3, 4, 100, 200,
//! 300, 400) and an `AuthorizationList` is a SEQUENCE of dozens of optional EXPLICIT
//! context tags up to `[724]`, which some devices emit out of order. So the list is read
//! as what it is, a run of `[tag] EXPLICIT value` elements: the tags the backend checks are
//! decoded, every other tag is skipped (new versions keep verifying), and a repeated tag
//! that we check is refused (a second `rootOfTrust` must not hide the first).
//!
//! ```text
//! KeyDescription ::= SEQUENCE {
//!     attestationVersion INTEGER, attestationSecurityLevel SecurityLevel,
//!     keyMintVersion INTEGER, keyMintSecurityLevel SecurityLevel,
//!     attestationChallenge OCTET STRING, uniqueId OCTET STRING,
//!     softwareEnforced AuthorizationList, hardwareEnforced AuthorizationList }
//! SecurityLevel ::= ENUMERATED { Software(0), TrustedEnvironment(1), StrongBox(2) }
//! AuthorizationList ::= SEQUENCE { purpose [1] EXPLICIT SET OF INTEGER OPTIONAL,
//!     algorithm [2] EXPLICIT INTEGER OPTIONAL, keySize [3] EXPLICIT INTEGER OPTIONAL,
//!     ecCurve [10] EXPLICIT INTEGER OPTIONAL, rootOfTrust [704] EXPLICIT RootOfTrust OPTIONAL,
//!     attestationApplicationId [709] EXPLICIT OCTET STRING OPTIONAL, ... }
//! RootOfTrust ::= SEQUENCE { verifiedBootKey OCTET STRING, deviceLocked BOOLEAN,
//!     verifiedBootState VerifiedBootState, verifiedBootHash OCTET STRING (version >= 3) }
//! VerifiedBootState ::= ENUMERATED { Verified(0), SelfSigned(1), Unverified(2), Failed(3) }
//! AttestationApplicationId ::= SEQUENCE { packageInfos SET OF AttestationPackageInfo,
//!     signatureDigests SET OF OCTET STRING }
//! AttestationPackageInfo ::= SEQUENCE { packageName OCTET STRING, version INTEGER }
//! ```
//!
//! Sizes are bounded on top of the certificate's own bound: the challenge (Keystore
//! refuses more than 128 bytes), every other OCTET STRING and every SET.

use asn1_rs::{Any, Class, FromDer, Tag};

/// Largest attestation challenge: the Keystore refuses longer ones.
pub const MAX_CHALLENGE_LEN: usize = 128;
/// Largest other OCTET STRING read (uniqueId, boot key and hash, package names, digests,
/// the attestation application id's own DER).
pub const MAX_OCTETS_LEN: usize = 4096;
/// Most elements of a SET read (purposes, packages, signature digests).
pub const MAX_SET_LEN: usize = 64;

/// `attestationSecurityLevel` and `keyMintSecurityLevel` values.
pub const LEVEL_SOFTWARE: u32 = 0;
pub const LEVEL_TRUSTED_ENVIRONMENT: u32 = 1;
pub const LEVEL_STRONGBOX: u32 = 2;

/// Context tags of the `AuthorizationList` entries the backend reads.
pub const TAG_PURPOSE: u32 = 1;
pub const TAG_ALGORITHM: u32 = 2;
pub const TAG_KEY_SIZE: u32 = 3;
pub const TAG_EC_CURVE: u32 = 10;
pub const TAG_ROOT_OF_TRUST: u32 = 704;
pub const TAG_ATTESTATION_APPLICATION_ID: u32 = 709;

/// A parsed KeyDescription, borrowing the extension's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription<'a> {
    pub attestation_version: u32,
    pub attestation_security_level: u32,
    /// `keymasterVersion` before attestation version 100, `keyMintVersion` since.
    pub keymint_version: u32,
    pub keymint_security_level: u32,
    pub attestation_challenge: &'a [u8],
    pub unique_id: &'a [u8],
    pub software_enforced: AuthorizationList<'a>,
    /// `teeEnforced` before attestation version 100.
    pub hardware_enforced: AuthorizationList<'a>,
}

/// The entries of an `AuthorizationList` the backend checks; the others are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationList<'a> {
    pub purpose: Option<Vec<u32>>,
    pub algorithm: Option<u32>,
    pub key_size: Option<u32>,
    pub ec_curve: Option<u32>,
    pub root_of_trust: Option<RootOfTrust<'a>>,
    pub attestation_application_id: Option<AttestationApplicationId<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootOfTrust<'a> {
    pub verified_boot_key: &'a [u8],
    pub device_locked: bool,
    pub verified_boot_state: u32,
    /// Absent before attestation version 3.
    pub verified_boot_hash: Option<&'a [u8]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationApplicationId<'a> {
    pub package_infos: Vec<PackageInfo<'a>>,
    pub signature_digests: Vec<&'a [u8]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo<'a> {
    /// UTF-8 bytes of the package name.
    pub package_name: &'a [u8],
    pub version: i64,
}

/// Which part of the KeyDescription is not as the schema says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed {0}")]
pub struct Malformed(pub &'static str);

/// Parses the extension's value (the DER inside its OCTET STRING), with nothing after it.
pub fn parse(der: &[u8]) -> Result<KeyDescription<'_>, Malformed> {
    sequence(single(der, "KeyDescription")?, "KeyDescription", |fields| {
        Ok(KeyDescription {
            attestation_version: fields.next_u32("attestationVersion")?,
            attestation_security_level: fields.next_enum("attestationSecurityLevel")?,
            keymint_version: fields.next_u32("keyMintVersion")?,
            keymint_security_level: fields.next_enum("keyMintSecurityLevel")?,
            attestation_challenge: fields.next_octets("attestationChallenge", MAX_CHALLENGE_LEN)?,
            unique_id: fields.next_octets("uniqueId", MAX_OCTETS_LEN)?,
            software_enforced: authorization_list(fields.next("softwareEnforced")?)?,
            hardware_enforced: authorization_list(fields.next("hardwareEnforced")?)?,
        })
    })
}

fn authorization_list(any: Any<'_>) -> Result<AuthorizationList<'_>, Malformed> {
    const WHAT: &str = "AuthorizationList";
    let mut entries = Elements::inside(any, Tag::Sequence, WHAT)?;
    let mut list = AuthorizationList::default();
    while let Some(entry) = entries.try_next(WHAT)? {
        if entry.class() != Class::ContextSpecific || !entry.header.is_constructed() {
            return Err(Malformed(WHAT));
        }
        let value = || explicit(&entry, WHAT);
        match entry.tag().0 {
            TAG_PURPOSE => {
                let purposes = set_of(value()?, "purpose", |member| u32_of(&member, "purpose"))?;
                set_once(&mut list.purpose, purposes)?
            }
            TAG_ALGORITHM => set_once(&mut list.algorithm, u32_of(&value()?, "algorithm")?)?,
            TAG_KEY_SIZE => set_once(&mut list.key_size, u32_of(&value()?, "keySize")?)?,
            TAG_EC_CURVE => set_once(&mut list.ec_curve, u32_of(&value()?, "ecCurve")?)?,
            TAG_ROOT_OF_TRUST => set_once(&mut list.root_of_trust, root_of_trust(value()?)?)?,
            TAG_ATTESTATION_APPLICATION_ID => {
                let id = octets_of(&value()?, "attestationApplicationId", MAX_OCTETS_LEN)?;
                set_once(&mut list.attestation_application_id, application_id(id)?)?
            }
            _ => {} // Not checked here: skipped, whatever the version adds.
        }
    }
    Ok(list)
}

fn root_of_trust(any: Any<'_>) -> Result<RootOfTrust<'_>, Malformed> {
    const WHAT: &str = "RootOfTrust";
    sequence(any, WHAT, |fields| {
        Ok(RootOfTrust {
            verified_boot_key: fields.next_octets("verifiedBootKey", MAX_OCTETS_LEN)?,
            device_locked: bool_of(&fields.next(WHAT)?, "deviceLocked")?,
            verified_boot_state: fields.next_enum("verifiedBootState")?,
            verified_boot_hash: match fields.try_next(WHAT)? {
                Some(hash) => Some(octets_of(&hash, "verifiedBootHash", MAX_OCTETS_LEN)?),
                None => None,
            },
        })
    })
}

fn application_id(der: &[u8]) -> Result<AttestationApplicationId<'_>, Malformed> {
    const WHAT: &str = "AttestationApplicationId";
    let package_info = |info| {
        sequence(info, "AttestationPackageInfo", |fields| {
            let package_name = fields.next_octets("packageName", MAX_OCTETS_LEN)?;
            let version = i64_of(&fields.next(WHAT)?, "version")?;
            Ok(PackageInfo {
                package_name,
                version,
            })
        })
    };
    let digest = |digest| octets_of(&digest, "signatureDigest", MAX_OCTETS_LEN);
    sequence(single(der, WHAT)?, WHAT, |fields| {
        Ok(AttestationApplicationId {
            package_infos: set_of(fields.next(WHAT)?, WHAT, package_info)?,
            signature_digests: set_of(fields.next(WHAT)?, WHAT, digest)?,
        })
    })
}

/// The one DER value `der` holds, with nothing after it.
fn single<'a>(der: &'a [u8], what: &'static str) -> Result<Any<'a>, Malformed> {
    match Any::from_der(der) {
        Ok(([], any)) => Ok(any),
        _ => Err(Malformed(what)),
    }
}

/// Reads a SEQUENCE's fields with `read`, which must read them all.
fn sequence<'a, T>(
    any: Any<'a>,
    what: &'static str,
    read: impl FnOnce(&mut Elements<'a>) -> Result<T, Malformed>,
) -> Result<T, Malformed> {
    let mut fields = Elements::inside(any, Tag::Sequence, what)?;
    let value = read(&mut fields)?;
    fields.end(what)?;
    Ok(value)
}

/// Reads each member of a SET OF with `read`, at most [`MAX_SET_LEN`] of them.
fn set_of<'a, T>(
    any: Any<'a>,
    what: &'static str,
    mut read: impl FnMut(Any<'a>) -> Result<T, Malformed>,
) -> Result<Vec<T>, Malformed> {
    let mut members = Elements::inside(any, Tag::Set, what)?;
    let mut values = Vec::new();
    while let Some(member) = members.try_next(what)? {
        if values.len() >= MAX_SET_LEN {
            return Err(Malformed(what));
        }
        values.push(read(member)?);
    }
    Ok(values)
}

/// The one value inside an EXPLICIT context tag.
fn explicit<'a>(entry: &Any<'a>, what: &'static str) -> Result<Any<'a>, Malformed> {
    match Any::from_der(entry.data) {
        Ok(([], inner)) => Ok(inner),
        _ => Err(Malformed(what)),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), Malformed> {
    if slot.replace(value).is_some() {
        return Err(Malformed("AuthorizationList (repeated tag)"));
    }
    Ok(())
}

/// A universal primitive value (asn1-rs's conversions check the tag number, not the class).
fn scalar<'b, 'a>(any: &'b Any<'a>, what: &'static str) -> Result<&'b Any<'a>, Malformed> {
    if any.class() != Class::Universal || any.header.is_constructed() {
        return Err(Malformed(what));
    }
    Ok(any)
}

fn u32_of(any: &Any<'_>, what: &'static str) -> Result<u32, Malformed> {
    scalar(any, what)?.as_u32().map_err(|_| Malformed(what))
}

fn i64_of(any: &Any<'_>, what: &'static str) -> Result<i64, Malformed> {
    scalar(any, what)?.as_i64().map_err(|_| Malformed(what))
}

fn bool_of(any: &Any<'_>, what: &'static str) -> Result<bool, Malformed> {
    scalar(any, what)?.as_bool().map_err(|_| Malformed(what))
}

fn enum_of(any: &Any<'_>, what: &'static str) -> Result<u32, Malformed> {
    let value = scalar(any, what)?.as_enumerated();
    value
        .map(|enumerated| enumerated.0)
        .map_err(|_| Malformed(what))
}

fn octets_of<'a>(any: &Any<'a>, what: &'static str, max: usize) -> Result<&'a [u8], Malformed> {
    if scalar(any, what)?.tag() != Tag::OctetString || any.data.len() > max {
        return Err(Malformed(what));
    }
    Ok(any.data)
}

/// The elements of a SEQUENCE or SET, read one by one.
struct Elements<'a> {
    rest: &'a [u8],
}

impl<'a> Elements<'a> {
    fn inside(any: Any<'a>, tag: Tag, what: &'static str) -> Result<Self, Malformed> {
        let universal = any.class() == Class::Universal && any.header.is_constructed();
        if !universal || any.tag() != tag {
            return Err(Malformed(what));
        }
        Ok(Elements { rest: any.data })
    }

    fn try_next(&mut self, what: &'static str) -> Result<Option<Any<'a>>, Malformed> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (rest, any) = Any::from_der(self.rest).map_err(|_| Malformed(what))?;
        self.rest = rest;
        Ok(Some(any))
    }

    fn next(&mut self, what: &'static str) -> Result<Any<'a>, Malformed> {
        self.try_next(what)?.ok_or(Malformed(what))
    }

    fn next_u32(&mut self, what: &'static str) -> Result<u32, Malformed> {
        u32_of(&self.next(what)?, what)
    }

    fn next_enum(&mut self, what: &'static str) -> Result<u32, Malformed> {
        enum_of(&self.next(what)?, what)
    }

    fn next_octets(&mut self, what: &'static str, max: usize) -> Result<&'a [u8], Malformed> {
        octets_of(&self.next(what)?, what, max)
    }

    fn end(&self, what: &'static str) -> Result<(), Malformed> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Malformed(what))
        }
    }
}
