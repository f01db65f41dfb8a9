//! Why a whole file could not be read. Row-level problems are not errors here: they are
//! [`duijie_core::RowError`]s in the [`crate::ParsedFile`] report.

use duijie_core::{ErrorCode, RecordKind};

/// A catalogue file that cannot be read at all. Every message names the file and says why, in
/// Chinese, because it is shown to the person importing; the code is the stable part.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}：无法读取文件：{source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{file}：文件为空")]
    Empty { file: String },

    #[error("{file}：{what}超过上限")]
    TooLarge {
        file: String,
        /// What was over the cap, in Chinese (`文件大小 60 MiB，上限 50 MiB`).
        what: String,
    },

    #[error("{file}：不是可识别的 Excel、CSV 或 JSON 文件：{detail}")]
    NotACatalogue { file: String, detail: String },

    #[error("{file}：文件已损坏或格式错误：{detail}")]
    Corrupt { file: String, detail: String },

    #[error("{file}：任何工作表中都找不到可识别的表头")]
    NoHeader { file: String },

    /// The headers were recognised but the kind they suggest lacks required columns.
    #[error("{file}：表头像{kind_zh}，但缺少必需的列：{missing}", kind_zh = kind_label(*kind), missing = missing.join("、"))]
    MissingColumns {
        file: String,
        kind: RecordKind,
        missing: Vec<String>,
    },

    /// The caller asked for a kind (`--kind`) that the file's headers do not fit.
    #[error("{file}：按{kind_zh}导入时缺少必需的列：{missing}，请检查 --kind", kind_zh = kind_label(*kind), missing = missing.join("、"))]
    WrongKind {
        file: String,
        kind: RecordKind,
        missing: Vec<String>,
    },
}

impl IngestError {
    /// The transport-neutral code the server and CLI map to a status.
    pub fn code(&self) -> ErrorCode {
        match self {
            IngestError::TooLarge { .. } => ErrorCode::TooLarge,
            IngestError::WrongKind { .. } => ErrorCode::InvalidInput,
            IngestError::Io { .. }
            | IngestError::Empty { .. }
            | IngestError::NotACatalogue { .. }
            | IngestError::Corrupt { .. }
            | IngestError::NoHeader { .. }
            | IngestError::MissingColumns { .. } => ErrorCode::UnreadableFile,
        }
    }

    /// The file the error is about, as the caller named it.
    pub fn file(&self) -> &str {
        match self {
            IngestError::Io { file, .. }
            | IngestError::Empty { file }
            | IngestError::TooLarge { file, .. }
            | IngestError::NotACatalogue { file, .. }
            | IngestError::Corrupt { file, .. }
            | IngestError::NoHeader { file }
            | IngestError::MissingColumns { file, .. }
            | IngestError::WrongKind { file, .. } => file,
        }
    }
}

pub(crate) fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Demands => "技术需求表",
        RecordKind::Achievements => "科技成果表",
        RecordKind::Experts => "专家表",
    }
}
