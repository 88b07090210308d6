//! Writes the seed corpus of every fuzz target into `fuzz/corpus/<target>/` (or into
//! the folder given as argument): the protocol vectors of `docs/protocol-vectors.json`,
//! real answers and pushes of a sandbox driven through a whole payment ([`sandbox`]),
//! and hand-picked edge cases. One module per target says what its seeds are.
//!
//! ```sh
//! cargo run -p cvconnect-fuzz --example gen_corpus [-- <folder>]
//! ```
//!
//! Files are overwritten by name and never deleted, so minimised crash inputs added to
//! the same directories stay. Real answers carry random ids, and sealed PINs random
//! ephemeral keys: regenerating changes them.

mod amount;
mod attestation;
mod canonical;
mod push;
mod responses;
mod sandbox;
mod sealed_pin;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, ensure, Context, Result};
use serde_json::Value;

/// Named seeds of one target.
#[derive(Debug, Default)]
pub struct Seeds(Vec<(String, Vec<u8>)>);

impl Seeds {
    pub fn add(&mut self, name: impl Into<String>, bytes: impl AsRef<[u8]>) {
        self.0.push((name.into(), bytes.as_ref().to_vec()));
    }

    pub fn extend(&mut self, other: &Seeds) {
        self.0.extend(other.0.iter().cloned());
    }
}

/// `docs/protocol-vectors.json`.
pub struct Vectors(Value);

impl Vectors {
    fn read(path: &Path) -> Result<Vectors> {
        let text = fs::read_to_string(path).with_context(|| path.display().to_string())?;
        Ok(Vectors(serde_json::from_str(&text)?))
    }

    /// The bytes of hex field `key` of vector `group`.
    pub fn bytes(&self, group: &str, key: &str) -> Result<Vec<u8>> {
        let text = self.0[group][key]
            .as_str()
            .ok_or_else(|| anyhow!("vector {group}.{key}"))?;
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| anyhow!("hex: {e}")))
            .collect()
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("corpus"));
    let vectors = Vectors::read(&manifest.join("../docs/protocol-vectors.json"))?;
    let real = sandbox::run().await?;
    let targets = [
        ("push", push::seeds(&real)?),
        ("responses", responses::seeds(&real)),
        ("amount", amount::seeds()),
        ("canonical", canonical::seeds(&vectors, &real)?),
        ("sealed_pin", sealed_pin::seeds(&vectors, &real)?),
        ("attestation", attestation::seeds()?),
    ];
    for (target, Seeds(seeds)) in targets {
        ensure!(
            cvconnect_fuzz::target(target).is_some(),
            "no target {target}"
        );
        let dir = root.join(target);
        fs::create_dir_all(&dir)?;
        for (name, bytes) in &seeds {
            fs::write(dir.join(name), bytes)?;
        }
        println!("{}: {} files written", dir.display(), seeds.len());
    }
    Ok(())
}
