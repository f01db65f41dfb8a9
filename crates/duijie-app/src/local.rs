//! Use cases of the local commands, run by whoever runs them on the server's machine, without a
//! caller: the demo data of `duijie serve --demo`, the evaluation harnesses (`duijie eval`) and
//! the benchmarks. They bypass the permission rules, so the server never calls them: duijie-
//! server's `the_server_reaches_records_only_through_use_cases` looks in its sources for a call
//! of every `pub fn` of this file.
//!
//! With the feature `test-support` (for the tests' fixtures only; the `duijie` binary is built
//! without it), [`App::store`] and [`App::index`] hand out the store and the index themselves.

use crate::{store_err, App, AppResult};
use duijie_core::ImportReport;
use duijie_core::{EntityKind, Instrument, InstrumentDraft, OrgKind};
use duijie_match::Matcher;
use duijie_store::{Actor, ImportBatch, Record, TextHash};

impl App {
    /// How many records of `kind` are stored.
    pub async fn record_count(&self, kind: EntityKind) -> AppResult<u64> {
        let n = self.store.count(kind).await.map_err(store_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Up to `limit` stored records of `kind` after the id `after`, in id order, contact
    /// details included: a corpus export or a benchmark reads every record by these pages.
    pub async fn records_after(
        &self,
        kind: EntityKind,
        after: &str,
        limit: u32,
    ) -> AppResult<Vec<Record>> {
        self.store.scan(kind, after, limit).await.map_err(store_err)
    }

    /// Stores records read elsewhere as one import (the benchmarks' generated demands) and
    /// wakes the indexer.
    pub async fn import_batch(&self, batch: ImportBatch) -> AppResult<ImportReport> {
        self.store_import(batch).await
    }

    /// The ranking the match use cases run, for the evaluation harnesses to rank with.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Stores vectors of record texts as the embedder does, stamped with the current time (the
    /// benchmarks' random vectors); a text that has a vector keeps it.
    pub async fn put_vectors(&self, items: &[(TextHash, Vec<i8>)]) -> AppResult<()> {
        self.store
            .put_vectors(items, chrono::Utc::now().timestamp_millis())
            .await
            .map_err(store_err)
    }

    /// Lists an instrument for the university `org_name` in the name of `actor_name` (the demo
    /// data).
    pub async fn add_instrument_as(
        &self,
        actor_name: &str,
        org_name: &str,
        draft: &InstrumentDraft,
    ) -> AppResult<Instrument> {
        let org = self
            .store
            .ensure_organization(org_name, OrgKind::University)
            .await
            .map_err(store_err)?;
        let actor = Actor {
            id: None,
            name: actor_name.to_string(),
        };
        self.store
            .create_instrument(&org.id, draft, &actor)
            .await
            .map_err(store_err)
    }

    /// Whether the account `user_id` has a password to sign in with.
    pub async fn has_password(&self, user_id: &str) -> AppResult<bool> {
        let hash = self.store.password_hash(user_id).await.map_err(store_err)?;
        Ok(hash.is_some())
    }

    /// Sets the e-mail address and phone of the account `user_id`; `false` when there is none.
    pub async fn set_contact_of(
        &self,
        user_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> AppResult<bool> {
        self.store
            .set_user_contact(user_id, email, phone)
            .await
            .map_err(store_err)
    }

    /// The store itself, for the tests' fixtures.
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &duijie_store::SqlStore {
        &self.store
    }

    /// The search index itself, for the tests' fixtures.
    #[cfg(feature = "test-support")]
    pub fn index(&self) -> &duijie_search::SearchIndex {
        &self.index
    }
}
