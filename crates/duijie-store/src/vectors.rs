//! Dense vectors of embedded texts (semantic matching), keyed by a hash of the model and the
//! text: written once by whichever process embedded the text first, read by every other.

use crate::{Result, SqlStore};
use sqlx::Row;

/// A text's key: SHA-256 of the model tag and the exact text embedded.
pub type TextHash = [u8; 32];

/// Keys looked up per statement (well under SQLite's bound-parameter limit).
const KEYS_PER_QUERY: usize = 500;

/// A `text_vectors` row as key and int8 components (`None`: a key of the wrong length).
fn vector_row(row: &sqlx::any::AnyRow) -> Result<Option<(TextHash, Vec<i8>)>> {
    let hash: Vec<u8> = row.try_get("text_hash")?;
    let vector: Vec<u8> = row.try_get("vector")?;
    Ok(TextHash::try_from(hash.as_slice())
        .ok()
        .map(|hash| (hash, vector.into_iter().map(|b| b as i8).collect())))
}

impl SqlStore {
    /// The stored vectors (int8 components) of those of `keys` that have one.
    pub async fn vectors(&self, keys: &[TextHash]) -> Result<Vec<(TextHash, Vec<i8>)>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let sql = format!(
                "SELECT text_hash, vector FROM text_vectors WHERE text_hash IN ({})",
                self.markers(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for key in chunk {
                query = query.bind(key.to_vec());
            }
            for row in query.fetch_all(self.pool()).await? {
                out.extend(vector_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Up to `limit` stored vectors whose key sorts after `after`, in key order: a walk over
    /// every vector kept (measurements of the search over real vectors).
    pub async fn vectors_after(
        &self,
        after: &[u8],
        limit: u32,
    ) -> Result<Vec<(TextHash, Vec<i8>)>> {
        let rows = sqlx::query(
            "SELECT text_hash, vector FROM text_vectors WHERE text_hash > $1 \
             ORDER BY text_hash LIMIT $2",
        )
        .bind(after.to_vec())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.extend(vector_row(row)?);
        }
        Ok(out)
    }

    /// Keeps vectors; a key already stored keeps its first vector.
    pub async fn put_vectors(&self, items: &[(TextHash, Vec<i8>)], now: i64) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        // Not part of the change log: no log lock, only SQLite's one writer at a time.
        let _gate = match self.backend() {
            crate::Backend::Sqlite => Some(self.write_gate().lock().await),
            crate::Backend::Postgres => None,
        };
        let mut tx = self.begin().await?;
        for (hash, vector) in items {
            sqlx::query(
                "INSERT INTO text_vectors (text_hash, vector, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (text_hash) DO NOTHING",
            )
            .bind(hash.to_vec())
            .bind(vector.iter().map(|&x| x as u8).collect::<Vec<u8>>())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
