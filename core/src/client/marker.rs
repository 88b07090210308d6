//! The enrollment marker: a small file beside the database that says "this folder
//! enrolled device X".
//!
//! Why a second file: the device row lives in SQLite, and a database can be lost while
//! the app's folder survives (the file truncated, the WAL holding the enrollment
//! lost, a backup restored over it). Without the marker such a phone would start as
//! "not enrolled", silently, while its key still sits in the Keystore or the Secure
//! Enclave: the app would then offer a first enrollment as if nothing had happened.
//! With it, the client reports the loss as its own typed state, and the app can say so
//! and re-enroll with the key it already has.
//!
//! The marker is written once per enrollment, atomically (temporary file, fsync,
//! rename, fsync of the folder), and read only when the database has no device.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::StoreError;

/// The marker's file name inside the data folder.
pub const MARKER_FILE: &str = "enrollment.marker";

pub struct EnrollmentMarker {
    path: PathBuf,
}

impl EnrollmentMarker {
    pub fn new(data_dir: &Path) -> EnrollmentMarker {
        EnrollmentMarker {
            path: data_dir.join(MARKER_FILE),
        }
    }

    /// Records that `device_id` is enrolled from this folder.
    pub fn write(&self, device_id: &str) -> Result<(), StoreError> {
        let temporary = self.path.with_extension("tmp");
        let written = File::create(&temporary)
            .and_then(|mut file| {
                file.write_all(device_id.as_bytes())?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&temporary, &self.path))
            .and_then(|()| self.sync_folder());
        written.map_err(|e| StoreError {
            detail: format!("cannot write the enrollment marker: {e}"),
        })
    }

    /// Forgets the enrollment (a revoked device starts over).
    pub fn remove(&self) -> Result<(), StoreError> {
        match fs::remove_file(&self.path) {
            Ok(()) => self.sync_folder().map_err(|e| StoreError {
                detail: format!("cannot sync the data folder: {e}"),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(StoreError {
                detail: format!("cannot remove the enrollment marker: {error}"),
            }),
        }
    }

    /// The device id of a past enrollment from this folder, if any.
    pub fn read(&self) -> Result<Option<String>, StoreError> {
        match fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text.trim().to_owned()).filter(|id| !id.is_empty())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(StoreError {
                detail: format!("cannot read the enrollment marker: {error}"),
            }),
        }
    }

    /// Makes the rename durable (POSIX: a rename lives in the folder's own data).
    fn sync_folder(&self) -> std::io::Result<()> {
        match self.path.parent() {
            Some(folder) if cfg!(unix) => File::open(folder)?.sync_all(),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_marker_reads_back_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let marker = EnrollmentMarker::new(dir.path());
        assert_eq!(marker.read().unwrap(), None);
        marker.write("dev_123").unwrap();
        assert_eq!(marker.read().unwrap(), Some("dev_123".into()));
        marker.write("dev_456").unwrap();
        assert_eq!(marker.read().unwrap(), Some("dev_456".into()));
        assert!(!dir.path().join("enrollment.tmp").exists());
    }

    #[test]
    fn an_empty_marker_is_no_marker() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKER_FILE), "").unwrap();
        assert_eq!(EnrollmentMarker::new(dir.path()).read().unwrap(), None);
    }
}
