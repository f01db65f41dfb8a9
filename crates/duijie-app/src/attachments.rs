//! Attachments (附件) of demands and of messages: PDF, images, office documents and plain
//! text, recognised by their content (never by the name's extension or the client's
//! Content-Type), size-capped per file and per demand, kept in the database and handed only to
//! those who may see the demand or the conversation they belong to.

use crate::{found, found_or, store_err, Action, App, AppResult, Caller};
use duijie_core::{Attachment, DomainError, ErrorCode, NewAttachment};
use duijie_store::WriteRules;
use sha2::{Digest, Sha256};
use std::io::Read;

/// How much attachments may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// Bytes of one file.
    pub per_file: u64,
    /// Bytes of all files of one demand (its own and its conversations').
    pub per_demand: u64,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            per_file: 20 * 1024 * 1024,
            per_demand: 100 * 1024 * 1024,
        }
    }
}

/// Longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// A file as a request brings it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name the client gave (any path in it is dropped).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The allowed kinds: what they are called, their media type and the extensions a file of
/// that content may carry.
struct Kind {
    label: &'static str,
    mime: &'static str,
    exts: &'static [&'static str],
}

const PDF: Kind = Kind {
    label: "PDF 文档",
    mime: "application/pdf",
    exts: &["pdf"],
};
const PNG: Kind = Kind {
    label: "PNG 图片",
    mime: "image/png",
    exts: &["png"],
};
const JPEG: Kind = Kind {
    label: "JPEG 图片",
    mime: "image/jpeg",
    exts: &["jpg", "jpeg"],
};
const GIF: Kind = Kind {
    label: "GIF 图片",
    mime: "image/gif",
    exts: &["gif"],
};
const WEBP: Kind = Kind {
    label: "WebP 图片",
    mime: "image/webp",
    exts: &["webp"],
};
const DOC: Kind = Kind {
    label: "Word 97-2003 文档",
    mime: "application/msword",
    exts: &["doc"],
};
const XLS: Kind = Kind {
    label: "Excel 97-2003 表格",
    mime: "application/vnd.ms-excel",
    exts: &["xls"],
};
const PPT: Kind = Kind {
    label: "PowerPoint 97-2003 演示文稿",
    mime: "application/vnd.ms-powerpoint",
    exts: &["ppt"],
};
const DOCX: Kind = Kind {
    label: "Word 文档",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    exts: &["docx"],
};
const XLSX: Kind = Kind {
    label: "Excel 表格",
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    exts: &["xlsx"],
};
const PPTX: Kind = Kind {
    label: "PowerPoint 演示文稿",
    mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    exts: &["pptx"],
};
const ODT: Kind = Kind {
    label: "OpenDocument 文本",
    mime: "application/vnd.oasis.opendocument.text",
    exts: &["odt"],
};
const ODS: Kind = Kind {
    label: "OpenDocument 表格",
    mime: "application/vnd.oasis.opendocument.spreadsheet",
    exts: &["ods"],
};
const TXT: Kind = Kind {
    label: "纯文本",
    mime: "text/plain; charset=utf-8",
    exts: &["txt"],
};

const ALLOWED: &str =
    "PDF、PNG/JPEG/GIF/WebP 图片、Word/Excel/PowerPoint（doc/docx/xls/xlsx/ppt/pptx）、\
    OpenDocument（odt/ods）或 UTF-8 纯文本（txt）";

/// Whether `needle`, as UTF-16LE, occurs in `hay` (names in an OLE compound file's directory).
fn has_utf16(hay: &[u8], needle: &str) -> bool {
    let n: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    hay.windows(n.len()).any(|w| w == n.as_slice())
}

/// An OOXML or OpenDocument package, by the names (and ODF's `mimetype`) inside it.
fn zip_kind(bytes: &[u8]) -> Option<Kind> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    if let Ok(entry) = zip.by_name("mimetype") {
        let mut mime = String::new();
        entry.take(100).read_to_string(&mut mime).ok()?;
        return match mime.trim() {
            "application/vnd.oasis.opendocument.text" => Some(ODT),
            "application/vnd.oasis.opendocument.spreadsheet" => Some(ODS),
            _ => None,
        };
    }
    let has = |name: &str| zip.file_names().any(|n| n == name);
    if !has("[Content_Types].xml") {
        return None;
    }
    if has("word/document.xml") {
        Some(DOCX)
    } else if has("xl/workbook.xml") {
        Some(XLSX)
    } else if has("ppt/presentation.xml") {
        Some(PPTX)
    } else {
        None
    }
}

/// Text a browser or another program could take for markup (HTML, SVG, XML) or a script.
fn looks_like_markup(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_lowercase();
    head.starts_with('<')
        || ["<html", "<script", "<!doctype", "<svg", "<iframe", "<body"]
            .iter()
            .any(|t| head.contains(t))
}

/// What the bytes are, or why they are refused (naming the file).
fn sniff(bytes: &[u8]) -> Result<Kind, &'static str> {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let kind = if bytes.starts_with(b"%PDF-") {
        PDF
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        PNG
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        JPEG
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        GIF
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        WEBP
    } else if bytes.starts_with(CFB) {
        if has_utf16(bytes, "WordDocument") {
            DOC
        } else if has_utf16(bytes, "Workbook") || has_utf16(bytes, "Book") {
            XLS
        } else if has_utf16(bytes, "PowerPoint Document") {
            PPT
        } else {
            return Err("不是 Word、Excel 或 PowerPoint 文档");
        }
    } else if bytes.starts_with(b"PK\x03\x04") {
        zip_kind(bytes).ok_or("是压缩包，但不是 Office 或 OpenDocument 文档")?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| "不是允许的文件类型")?;
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        {
            return Err("不是允许的文件类型");
        }
        if looks_like_markup(text) {
            return Err("是网页或标记文本（HTML/XML），不能作为附件");
        }
        TXT
    };
    Ok(kind)
}

/// The name kept for a file: without any folder, control characters or quotes, at most
/// [`MAX_FILE_NAME_CHARS`] characters keeping the extension; "附件" when nothing is left.
pub fn safe_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?'))
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        return "附件".to_string();
    }
    let n = clean.chars().count();
    if n <= MAX_FILE_NAME_CHARS {
        return clean.to_string();
    }
    let ext: String = match clean.rsplit_once('.') {
        Some((_, e)) if e.chars().count() <= 8 => format!(".{e}"),
        _ => String::new(),
    };
    let keep = MAX_FILE_NAME_CHARS - ext.chars().count();
    format!("{}{ext}", clean.chars().take(keep).collect::<String>())
}

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty())
}

/// Checks one upload (size, type by content, extension) into a file to store; the hashing and
/// sniffing run on a blocking thread.
pub(crate) async fn check_upload(
    upload: Upload,
    limits: AttachmentLimits,
    caller: &Caller,
) -> AppResult<NewAttachment> {
    let name = safe_file_name(&upload.file_name);
    if upload.bytes.is_empty() {
        return Err(DomainError::invalid("file", format!("文件“{name}”是空的")));
    }
    if upload.bytes.len() as u64 > limits.per_file {
        return Err(too_large(&name, limits.per_file));
    }
    let (sniffed, sha256, bytes) = tokio::task::spawn_blocking(move || {
        let sniffed = sniff(&upload.bytes);
        let sha = hex::encode(Sha256::digest(&upload.bytes));
        (sniffed, sha, upload.bytes)
    })
    .await
    .map_err(|_| DomainError::new(ErrorCode::Internal, "文件检查失败，请重试"))?;
    let kind = sniffed.map_err(|why| {
        DomainError::invalid("file", format!("文件“{name}”{why}；允许上传 {ALLOWED}"))
    })?;
    match extension(&name) {
        Some(ext) if kind.exts.contains(&ext.as_str()) => {}
        Some(ext) => {
            return Err(DomainError::invalid(
                "file",
                format!(
                    "文件“{name}”的内容是{}，与扩展名“.{ext}”不符，请确认文件后重新上传",
                    kind.label
                ),
            ))
        }
        None => {
            return Err(DomainError::invalid(
                "file",
                format!(
                    "文件“{name}”没有扩展名；其内容是{}，请以“.{}”结尾命名",
                    kind.label, kind.exts[0]
                ),
            ))
        }
    }
    Ok(NewAttachment {
        file_name: name,
        content_type: kind.mime.to_string(),
        sha256,
        data: bytes,
        org_id: caller.org_id().map(str::to_string),
        uploaded_by: caller.user().map(|u| u.id.clone()),
    })
}

/// The answer for a file over the per-file cap, naming it.
pub fn too_large(name: &str, max: u64) -> DomainError {
    let mut e = DomainError::new(
        ErrorCode::TooLarge,
        format!(
            "文件“{}”超过了单个附件 {} MB 的上限",
            safe_file_name(name),
            max / (1024 * 1024)
        ),
    );
    e.field = Some("file".into());
    e
}

fn store_total(limits: AttachmentLimits) -> i64 {
    i64::try_from(limits.per_demand).unwrap_or(i64::MAX)
}

impl App {
    /// The owner (while it may edit the demand) or the bureau adds a file to a demand.
    pub async fn upload_demand_attachment(
        &self,
        caller: &Caller,
        demand_id: &str,
        upload: Upload,
        limits: AttachmentLimits,
    ) -> AppResult<Attachment> {
        let d = self.attachable_demand(caller, demand_id).await?;
        let new = check_upload(upload, limits, caller).await?;
        self.store
            .create_attachment(
                &d.id,
                &new,
                WriteRules {
                    demand_statuses: &caller.demand_write_statuses(),
                    max_demand_bytes: store_total(limits),
                },
            )
            .await
            .map_err(store_err)
    }

    /// Refuses, before a body is read, a caller who may not add files to the demand.
    pub async fn attachable_demand(
        &self,
        caller: &Caller,
        demand_id: &str,
    ) -> AppResult<duijie_core::Demand> {
        caller.require(Action::WriteDemand)?;
        let d = self.visible_demand(caller, demand_id).await?;
        if !caller.can_attach_to_demand(&d) {
            return Err(crate::access::forbidden());
        }
        Ok(d)
    }

    /// The demand's own files, for anyone who may see the demand.
    pub async fn demand_attachments(
        &self,
        caller: &Caller,
        demand_id: &str,
    ) -> AppResult<Vec<Attachment>> {
        let d = self.visible_demand(caller, demand_id).await?;
        self.store
            .list_attachments(&d.id, None)
            .await
            .map_err(store_err)
    }

    /// A file's description if the caller may see what it belongs to; otherwise not found,
    /// so that its existence is not revealed.
    async fn visible_attachment(&self, caller: &Caller, id: &str) -> AppResult<Attachment> {
        let missing = || DomainError::not_found("附件");
        let a = found_or(self.store.get_attachment(id).await, missing)?;
        match &a.interest_id {
            Some(interest) => {
                self.readable_conversation(caller, interest)
                    .await
                    .map_err(|_| missing())?;
            }
            None => {
                self.visible_demand(caller, &a.demand_id)
                    .await
                    .map_err(|_| missing())?;
            }
        }
        Ok(a)
    }

    /// A file with its bytes, for those who may see the demand or conversation it is in.
    pub async fn attachment(&self, caller: &Caller, id: &str) -> AppResult<(Attachment, Vec<u8>)> {
        let a = self.visible_attachment(caller, id).await?;
        let bytes = found(self.store.attachment_data(&a.id).await, "附件")?;
        Ok((a, bytes))
    }

    /// The uploader deletes a file of a demand while the demand may still be edited (the
    /// bureau's own uploads at any time); files posted in a conversation stay.
    pub async fn delete_attachment(&self, caller: &Caller, id: &str) -> AppResult<Attachment> {
        let a = self.visible_attachment(caller, id).await?;
        let mine = caller
            .user()
            .is_some_and(|u| a.uploaded_by.as_deref() == Some(u.id.as_str()));
        if !mine {
            return Err(DomainError::new(
                ErrorCode::Forbidden,
                "只有上传者可以删除该附件",
            ));
        }
        self.store
            .delete_attachment(&a.id, &caller.demand_write_statuses())
            .await
            .map_err(store_err)?;
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_found_by_content() {
        assert_eq!(
            sniff(b"%PDF-1.7\n...").map(|k| k.mime),
            Ok("application/pdf")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0").map(|k| k.mime),
            Ok("image/png")
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 ").map(|k| k.mime),
            Ok("image/webp")
        );
        assert_eq!(
            sniff("需求说明\n第二行".as_bytes()).map(|k| k.exts),
            Ok(&["txt"][..])
        );
        assert!(sniff(b"<html><script>alert(1)</script>").is_err());
        assert!(sniff(b"  <!DOCTYPE html>").is_err());
        assert!(sniff(b"MZ\x90\0\x03\0\0\0").is_err());
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&ole).map(|k| k.exts), Ok(&["doc"][..]));
        ole.truncate(8);
        assert!(sniff(&ole).is_err());
    }

    #[test]
    fn office_packages_are_told_apart_by_their_inner_names() {
        use std::io::Write;
        let package = |names: &[&str]| {
            let mut buf = std::io::Cursor::new(Vec::new());
            let mut w = zip::ZipWriter::new(&mut buf);
            for n in names {
                w.start_file(*n, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(b"<x/>").unwrap();
            }
            w.finish().unwrap();
            buf.into_inner()
        };
        let docx = package(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(sniff(&docx).map(|k| k.exts), Ok(&["docx"][..]));
        let xlsx = package(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx).map(|k| k.exts), Ok(&["xlsx"][..]));
        assert!(sniff(&package(&["evil.exe"])).is_err());
    }

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(safe_file_name("C:\\tmp\\..\\方案.pdf"), "方案.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("a\"b\r\n.txt"), "ab.txt");
        assert_eq!(safe_file_name("..."), "附件");
        let long = format!("{}.docx", "长".repeat(300));
        let kept = safe_file_name(&long);
        assert_eq!(kept.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(kept.ends_with(".docx"));
    }
}
