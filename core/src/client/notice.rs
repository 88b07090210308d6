//! What the beneficiary is told when something fails: one French sentence per
//! situation, in one place.
//!
//! [`ClientError::user_message`](super::ClientError::user_message) names the situation of
//! a core error; the bindings name the situation of the error the apps hold (which can
//! also be built by the apps themselves, in tests and previews). Both then read the same
//! sentence here, so the mapping only ever goes from an error to a [`Notice`], never back.

use crate::amount::Amount;
use crate::protocol::errors::ErrorCode;

/// A situation the beneficiary is told about, with what its sentence needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// No network.
    Offline,
    /// The backend is too slow.
    Timeout,
    /// The backend's certificate did not match the pinned keys.
    InsecureConnection,
    /// The backend failed, answered nonsense, or the local store failed.
    Unavailable,
    /// The backend refused with a protocol code; its own French sentence wins when
    /// it sent one.
    Refused {
        /// The protocol's error code.
        code: ErrorCode,
        /// The backend's French sentence, possibly empty.
        server_message: String,
    },
    /// The user dismissed the prompt guarding the device key.
    SignatureCancelled,
    /// The device key or the sealing failed.
    DeviceSecurity,
    /// A push payload could not be read.
    UnreadableNotification,
    /// The app gave the library a configuration it refused.
    InvalidConfiguration,
    /// The device is not enrolled.
    NotEnrolled,
    /// The device's local data were lost.
    EnrollmentLost,
    /// The device is enrolled already.
    AlreadyEnrolled,
    /// The backend no longer knows this device.
    Unauthorized,
    /// This phone was disconnected from the account.
    DeviceRevoked,
    /// No such payment for this account.
    PaymentNotFound,
    /// The payment is final already.
    AlreadyHandled,
    /// A confirmation is on its way already.
    ConfirmationInProgress,
    /// The balance does not cover the amount.
    InsufficientBalance {
        /// The balance, for the sentence.
        balance: Amount,
    },
    /// A sentence that is French already (keypad and amount errors).
    Sentence(String),
    /// A bug, a panic: nothing more precise to say.
    Unexpected,
}

impl Notice {
    /// The French sentence for the screen.
    pub fn message_fr(&self) -> String {
        match self {
            Notice::Offline => "Pas de connexion. Vérifiez votre réseau et réessayez.".into(),
            Notice::Timeout => "Le service met trop de temps à répondre. Réessayez.".into(),
            Notice::InsecureConnection => "Connexion non sécurisée refusée.".into(),
            Notice::Unavailable => "Le service est momentanément indisponible. Réessayez.".into(),
            Notice::Refused { server_message, .. } if !server_message.is_empty() => {
                server_message.clone()
            }
            Notice::Refused { code, .. } => code.message_fr().into(),
            Notice::SignatureCancelled => "Opération annulée.".into(),
            Notice::DeviceSecurity => "Erreur de sécurité de l'appareil. Réessayez.".into(),
            Notice::UnreadableNotification => "Notification illisible.".into(),
            Notice::InvalidConfiguration => "Configuration de l'application invalide.".into(),
            Notice::NotEnrolled => "Cet appareil n'est pas encore activé.".into(),
            Notice::EnrollmentLost => {
                "Les données de l'application sur cet appareil ont été perdues. Activez-le à nouveau."
                    .into()
            }
            Notice::AlreadyEnrolled => "Cet appareil est déjà activé.".into(),
            Notice::Unauthorized => "Cet appareil n'est plus reconnu. Activez-le à nouveau.".into(),
            Notice::DeviceRevoked => {
                "Ce téléphone a été déconnecté de votre compte. Activez-le à nouveau pour payer."
                    .into()
            }
            Notice::PaymentNotFound => "Cette demande de paiement est introuvable.".into(),
            Notice::AlreadyHandled => "Ce paiement a déjà été traité.".into(),
            Notice::ConfirmationInProgress => "Paiement en cours de validation…".into(),
            Notice::InsufficientBalance { balance } => format!("Solde insuffisant ({balance})."),
            Notice::Sentence(sentence) => sentence.clone(),
            Notice::Unexpected => "Une erreur inattendue est survenue. Veuillez réessayer.".into(),
        }
    }
}
