//! Catalogue editions (编制目录，定期发布): the bureau compiles approved demands into a draft
//! edition and publishes it; anyone reads published editions, compares two of them and
//! exports one. Contact details follow the same rules as single demands.

use crate::audit;
use crate::demands::{actor, contact_ids, redact, required, text};
use crate::export::{self, CatalogueExport, ExportFormat};
use crate::{blocking, found, notifications, store_err, Action, App, AppResult, Caller};
use duijie_core::catalogues::{diff_editions, CatalogueDiff};
use duijie_core::error::FieldErrors;
use duijie_core::{CatalogueEdition, CatalogueStatus, Demand, DemandStatus, DomainError};
use duijie_store::{AuditAction, AuditSubject};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most demands one request may add to an edition.
pub const MAX_ITEMS_PER_REQUEST: usize = 1_000;

/// A new edition: `{"title": "2026年第4期企业技术需求目录", "period": "2026Q4"}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CatalogueInput))]
#[serde(deny_unknown_fields)]
pub struct CatalogueForm {
    pub title: String,
    #[serde(default)]
    pub period: Option<String>,
}

/// Demands to add to a draft edition.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CatalogueItemsInput))]
#[serde(deny_unknown_fields)]
pub struct CatalogueItemsForm {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub demand_ids: Vec<String>,
}

/// Two editions compared.
#[derive(Debug, Clone, Serialize)]
pub struct EditionDiff {
    pub from: CatalogueEdition,
    pub to: CatalogueEdition,
    #[serde(flatten)]
    pub diff: CatalogueDiff,
}

/// The demand ids of one request on an edition's items, trimmed; 1 to
/// [`MAX_ITEMS_PER_REQUEST`] of them.
fn item_ids(demand_ids: &[String]) -> AppResult<Vec<String>> {
    if demand_ids.is_empty() || demand_ids.len() > MAX_ITEMS_PER_REQUEST {
        return Err(DomainError::invalid(
            "demand_ids",
            format!("demand_ids 须含 1 到 {MAX_ITEMS_PER_REQUEST} 个需求编号（请选择需求）"),
        ));
    }
    Ok(demand_ids.iter().map(|d| d.trim().to_string()).collect())
}

impl App {
    /// An edition the caller may see: published ones for everyone, drafts for the bureau.
    async fn visible_catalogue(&self, caller: &Caller, id: &str) -> AppResult<CatalogueEdition> {
        match self.store.get_catalogue(id).await.map_err(store_err)? {
            Some(c)
                if c.status == CatalogueStatus::Published || caller.may(Action::EditCatalogue) =>
            {
                Ok(c)
            }
            _ => Err(DomainError::not_found("目录")),
        }
    }

    pub async fn create_catalogue(
        &self,
        caller: &Caller,
        form: &CatalogueForm,
    ) -> AppResult<CatalogueEdition> {
        caller.require(Action::EditCatalogue)?;
        let mut errs = FieldErrors::default();
        let title = errs.check(required("title", "目录名称", &form.title, 200));
        let period = match &form.period {
            Some(p) => errs
                .check(text("period", "期次", p, 50))
                .filter(|p| !p.is_empty()),
            None => None,
        };
        errs.finish()?;
        let title = title.unwrap_or_default();
        self.store
            .create_catalogue(&title, period.as_deref(), &actor(caller))
            .await
            .map_err(store_err)
    }

    /// Adds approved (or already published) demands to a draft edition; the error names the
    /// first demand that cannot go in and its status.
    pub async fn add_catalogue_items(
        &self,
        caller: &Caller,
        id: &str,
        demand_ids: &[String],
    ) -> AppResult<CatalogueEdition> {
        caller.require(Action::EditCatalogue)?;
        self.store
            .add_catalogue_items(id, &item_ids(demand_ids)?)
            .await
            .map_err(store_err)
    }

    /// Takes demands out of a draft edition (a demand withdrawn since it was listed, say).
    pub async fn remove_catalogue_items(
        &self,
        caller: &Caller,
        id: &str,
        demand_ids: &[String],
    ) -> AppResult<CatalogueEdition> {
        caller.require(Action::EditCatalogue)?;
        self.store
            .remove_catalogue_items(id, &item_ids(demand_ids)?)
            .await
            .map_err(store_err)
    }

    /// Deletes a draft edition; published editions are a public record and stay.
    pub async fn delete_catalogue(&self, caller: &Caller, id: &str) -> AppResult<()> {
        caller.require(Action::EditCatalogue)?;
        self.store.delete_catalogue(id).await.map_err(store_err)
    }

    /// Publishes a draft edition: its approved demands become published, its items frozen.
    pub async fn publish_catalogue(
        &self,
        caller: &Caller,
        id: &str,
    ) -> AppResult<CatalogueEdition> {
        caller.require(Action::PublishCatalogue)?;
        let title = self
            .store
            .get_catalogue(id)
            .await
            .map_err(store_err)?
            .map(|c| c.title)
            .unwrap_or_default();
        // The approved items are the ones this publication makes public; should one change
        // before the publication's transaction, it fails and writes none of these.
        let newly: Vec<Demand> = self
            .store
            .catalogue_items(id)
            .await
            .map_err(store_err)?
            .into_iter()
            .filter(|d| d.status == DemandStatus::Approved)
            .collect();
        let notices: Vec<_> = newly
            .iter()
            .map(|d| notifications::demand_published(d, &title))
            .collect();
        let c = self
            .store
            .publish_catalogue(id, &actor(caller), &notices)
            .await
            .map_err(store_err)?;
        self.audit_committed(audit::entry(
            caller,
            AuditAction::CataloguePublish,
            AuditSubject::Catalogue,
            vec![c.id.clone()],
            format!("发布需求目录《{}》", c.title),
        ))
        .await;
        self.notify_changed().await;
        // The match notices' jobs committed with the publication; run them now (a failure
        // is retried by the indexer's loop, on this or another replica).
        if let Err(e) = self.run_match_jobs().await {
            tracing::warn!(
                code = e.code.as_str(),
                "match jobs failed, left for a retry"
            );
        }
        Ok(c)
    }

    /// Published editions, and drafts for the bureau; newest first.
    pub async fn catalogues(&self, caller: &Caller) -> AppResult<Vec<CatalogueEdition>> {
        self.store
            .list_catalogues(caller.may(Action::EditCatalogue))
            .await
            .map_err(store_err)
    }

    /// An edition with its items, contact details removed where the caller may not see them.
    pub async fn catalogue(
        &self,
        caller: &Caller,
        id: &str,
    ) -> AppResult<(CatalogueEdition, Vec<Demand>)> {
        let c = self.visible_catalogue(caller, id).await?;
        let items = self.store.catalogue_items(id).await.map_err(store_err)?;
        let items: Vec<Demand> = items.into_iter().map(|d| redact(caller, d)).collect();
        self.audit_contact_read(
            caller,
            AuditSubject::Demand,
            contact_ids(caller, &items),
            &format!("需求目录《{}》", c.title),
        )
        .await?;
        Ok((c, items))
    }

    /// What is new, changed and gone in edition `id` compared with the earlier edition `from`.
    pub async fn catalogue_diff(
        &self,
        caller: &Caller,
        id: &str,
        from: &str,
    ) -> AppResult<EditionDiff> {
        let to = self.visible_catalogue(caller, id).await?;
        let from = self.visible_catalogue(caller, from).await?;
        let newer = self
            .store
            .catalogue_items(&to.id)
            .await
            .map_err(store_err)?;
        let older = self
            .store
            .catalogue_items(&from.id)
            .await
            .map_err(store_err)?;
        let mut diff = diff_editions(&older, &newer, |d| caller.can_see_contact(d));
        let gone: Vec<String> = diff.removed.iter().map(|e| e.id.clone()).collect();
        let now: HashMap<String, Demand> = self.records_by_id(&gone).await?;
        for entry in &mut diff.removed {
            entry.status_now = now.get(&entry.id).map(|d| d.status);
        }
        Ok(EditionDiff { from, to, diff })
    }

    /// An export of an edition the caller may see. `full` (contact columns) is for the bureau.
    pub async fn export_catalogue(
        &self,
        caller: &Caller,
        id: &str,
        format: ExportFormat,
        full: bool,
    ) -> AppResult<CatalogueExport> {
        if full {
            caller.require(Action::ExportContacts)?;
        }
        self.visible_catalogue(caller, id).await?;
        self.render_edition(caller, id, format, full).await
    }

    /// An export of any edition, without a caller: for trusted local use (`duijie export`),
    /// where whoever runs the command already holds the database. A full export is still
    /// recorded, naming the local operator.
    pub async fn export_edition(
        &self,
        id: &str,
        format: ExportFormat,
        full: bool,
    ) -> AppResult<CatalogueExport> {
        self.render_edition(&Caller::Anonymous, id, format, full)
            .await
    }

    /// Writes the export; a contact-bearing one is recorded (its demands' ids) before it is
    /// handed out, and refused when the record cannot be written.
    async fn render_edition(
        &self,
        caller: &Caller,
        id: &str,
        format: ExportFormat,
        full: bool,
    ) -> AppResult<CatalogueExport> {
        let edition = found(self.store.get_catalogue(id).await, "目录")?;
        let items = self.store.catalogue_items(id).await.map_err(store_err)?;
        let ids: Vec<String> = items.iter().map(|d| d.id.clone()).collect();
        let summary = format!(
            "导出需求目录《{}》含联系方式版（{}，共 {} 项）",
            edition.title,
            format.as_str(),
            ids.len()
        );
        let out = blocking(move || export::render(&edition, &items, format, full)).await?;
        if full {
            self.audit(audit::entry(
                caller,
                AuditAction::CatalogueExportFull,
                AuditSubject::Demand,
                ids,
                summary,
            ))
            .await?;
        }
        Ok(out)
    }
}
