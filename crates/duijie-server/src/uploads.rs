//! Reading `multipart/form-data` with files (attachments), API and pages alike: each file is
//! read chunk by chunk and refused as soon as it passes the per-file cap, so no body is read
//! beyond what the caps allow (the route's body limit bounds the whole request too).

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::StatusCode;
use duijie_app::{too_large, AttachmentLimits, Upload};
use duijie_core::{DomainError, ErrorCode};

/// Longest text field kept (a message's text is capped again by the app).
const MAX_TEXT_FIELD: usize = 256 * 1024;

/// What a form sent: its text fields (repeats kept) and its non-empty files.
#[derive(Debug, Default)]
pub struct Parts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Parts {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn unreadable(e: MultipartError) -> DomainError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        DomainError::new(ErrorCode::TooLarge, "上传内容超过了允许的大小")
    } else {
        DomainError::new(
            ErrorCode::InvalidInput,
            "上传内容无法读取，请重新选择文件后提交",
        )
    }
}

async fn read_capped(mut field: Field<'_>, max: u64, name: &str) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if (out.len() + chunk.len()) as u64 > max {
            return Err(too_large(name, max));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads the form: fields named `file` are files (at most `max_files` non-empty ones), the
/// rest text.
pub async fn read(
    mut form: Multipart,
    limits: AttachmentLimits,
    max_files: usize,
) -> Result<Parts, DomainError> {
    let mut parts = Parts::default();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = read_capped(field, limits.per_file, &file_name).await?;
            if file_name.is_empty() && bytes.is_empty() {
                continue; // a file input left empty
            }
            if parts.files.len() == max_files {
                return Err(DomainError::invalid(
                    "file",
                    format!("一次最多上传 {max_files} 个文件"),
                ));
            }
            parts.files.push(Upload { file_name, bytes });
        } else {
            let bytes = read_capped(field, MAX_TEXT_FIELD as u64, &name)
                .await
                .map_err(|_| DomainError::invalid(&name, "内容过长"))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| DomainError::invalid(&name, "内容不是有效的 UTF-8 文本"))?;
            parts.fields.push((name, text));
        }
    }
    Ok(parts)
}

/// `Content-Disposition: attachment` with an ASCII fallback name and the real one in
/// RFC 5987 form (`filename*=UTF-8''…`), so Chinese names arrive intact and nothing in a
/// name can break out of the header.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn chinese_names_are_encoded_and_quotes_cannot_escape() {
        assert_eq!(
            content_disposition("方案 v2.pdf"),
            "attachment; filename=\"__ v2.pdf\"; filename*=UTF-8''%E6%96%B9%E6%A1%88%20v2.pdf"
        );
        let h = content_disposition("a\"; x=\r\n.txt");
        assert!(!h.contains('\r') && !h.contains('\n'));
        assert!(h.starts_with("attachment; filename=\"a__ x___.txt\""));
    }
}
