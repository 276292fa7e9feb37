//! Rendered text and values are capped at [`MAX_OUTPUT`] bytes, however they
//! are produced.

use minijinja::{Error, ErrorKind};

use super::MAX_OUTPUT;

pub(super) fn too_large() -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "the value is larger than the limit of {} MiB",
            MAX_OUTPUT / 1024 / 1024
        ),
    )
}

/// Collects rendered text up to [`MAX_OUTPUT`] bytes, then refuses more.
#[derive(Default)]
pub(super) struct CappedWriter {
    pub(super) buf: Vec<u8>,
    /// Bytes seen, when only counting.
    counted: usize,
    counting: bool,
    pub(super) overflowed: bool,
}

impl CappedWriter {
    /// Counts bytes without keeping them.
    pub(super) fn counting() -> Self {
        CappedWriter {
            counting: true,
            ..Self::default()
        }
    }
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let seen = if self.counting {
            self.counted
        } else {
            self.buf.len()
        };
        if seen + data.len() > MAX_OUTPUT {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered text too large"));
        }
        if self.counting {
            self.counted += data.len();
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
