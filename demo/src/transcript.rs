//! The French transcript the demo prints: sections per side (merchant or phone),
//! aligned label/value lines, and indented blocks.

use std::io::Write as _;

/// Who sees what a section shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Setup,
    Merchant,
    Phone,
}

impl Side {
    fn label(self) -> &'static str {
        match self {
            Side::Setup => "Préparation",
            Side::Merchant => "Côté marchand",
            Side::Phone => "Côté téléphone",
        }
    }
}

const WIDTH: usize = 72;
const LABEL_WIDTH: usize = 34;

/// Prints to stdout as the demo goes, so a slow step shows where it is.
#[derive(Debug, Default)]
pub struct Transcript;

impl Transcript {
    fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    pub fn title(&self, text: &str) {
        self.print(text);
        self.print(&"═".repeat(text.chars().count().min(WIDTH)));
    }

    /// `── Côté téléphone · Écran de paiement ─────…`
    pub fn section(&self, side: Side, title: &str) {
        let head = format!("── {} · {title} ", side.label());
        let fill = WIDTH.saturating_sub(head.chars().count());
        self.print("");
        self.print(&format!("{head}{}", "─".repeat(fill)));
    }

    pub fn line(&self, text: &str) {
        self.print(&format!("  {text}"));
    }

    /// `  Label :                value`, values aligned.
    pub fn field(&self, label: &str, value: &str) {
        let label = format!("{label} :");
        let pad = LABEL_WIDTH.saturating_sub(label.chars().count());
        self.print(&format!("  {label}{} {value}", " ".repeat(pad)));
    }

    /// Lines indented a little more than the section's text.
    pub fn block(&self, lines: &[String]) {
        for line in lines {
            self.print(&format!("      {line}"));
        }
    }

    pub fn blank(&self) {
        self.print("");
    }
}
