//! Shared research instruments (科研仪器共享): an institution lists what it opens to others;
//! anyone searches them; matches show them beside an institution as capacity. Editing and
//! deleting are the workspace's (`workspace.rs`).

use crate::demands::{required, text};
use crate::search::{Page, SearchParams};
use crate::{found, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::{DomainError, Field, Instrument, InstrumentDraft, OrgKind};
use duijie_store::{OwnDraft, Record};
use serde::Deserialize;

/// Most fields one instrument may name.
pub const MAX_INSTRUMENT_FIELDS: usize = 5;
const MAX_NAME: usize = 200;
const MAX_SHORT: usize = 200;
const MAX_TERMS: usize = 5_000;
const MAX_DESCRIPTION: usize = 20_000;

/// `POST /api/v1/instruments`
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InstrumentInput))]
#[serde(deny_unknown_fields)]
pub struct InstrumentForm {
    pub name: String,
    #[serde(default)]
    pub model: String,
    /// Taxonomy labels, e.g. `["新材料"]`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 5))]
    pub fields: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub booking_terms: String,
    /// The owning institution's name, for instruments the bureau enters on its behalf.
    #[serde(default)]
    pub organization: Option<String>,
}

impl InstrumentForm {
    /// The draft, or every problem of the form at once.
    pub(crate) fn draft(&self) -> AppResult<InstrumentDraft> {
        let mut errs = FieldErrors::default();
        let name = errs
            .check(required("name", "仪器名称", &self.name, MAX_NAME))
            .unwrap_or_default();
        if self.fields.len() > MAX_INSTRUMENT_FIELDS {
            errs.add(DomainError::invalid(
                "fields",
                format!("服务领域最多 {MAX_INSTRUMENT_FIELDS} 个"),
            ));
        }
        let mut fields: Vec<Field> = Vec::new();
        for f in self
            .fields
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
        {
            let parsed =
                Field::try_from(f.to_string()).map_err(|m| DomainError::invalid("fields", m));
            if let Some(f) = errs.check(parsed) {
                if !fields.contains(&f) {
                    fields.push(f);
                }
            }
        }
        let mut line = |field: &str, label: &str, value: &str, max: usize| {
            errs.check(text(field, label, value, max))
                .unwrap_or_default()
        };
        let draft = InstrumentDraft {
            name,
            model: line("model", "型号", &self.model, MAX_SHORT),
            fields,
            description: line(
                "description",
                "仪器介绍",
                &self.description,
                MAX_DESCRIPTION,
            ),
            location: line("location", "存放地点", &self.location, MAX_SHORT),
            booking_terms: line("booking_terms", "预约条件", &self.booking_terms, MAX_TERMS),
        };
        errs.finish().map(|()| draft)
    }
}

impl App {
    /// An institution lists an instrument of its own; the bureau may list one for an
    /// institution it names.
    pub async fn create_instrument(
        &self,
        caller: &Caller,
        form: &InstrumentForm,
    ) -> AppResult<Instrument> {
        caller.require(Action::KeepRecords)?;
        let draft = form.draft()?;
        let given = form
            .organization
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty());
        let org = match (caller.may(Action::KeepAnyRecords), given) {
            (false, _) => self.own_org(caller).await?,
            (_, Some(name)) => {
                text("organization", "所属单位", name, MAX_SHORT)?;
                let org = self
                    .store
                    .ensure_organization(name, OrgKind::infer(name, OrgKind::Institute))
                    .await
                    .map_err(store_err)?;
                (org.id, org.name)
            }
            _ => return Err(DomainError::invalid("organization", "请填写仪器所属单位")),
        };
        match self
            .create_own(caller, org, OwnDraft::Instrument(draft))
            .await?
        {
            Record::Instrument(i) => Ok(i),
            _ => Err(DomainError::not_found("仪器")),
        }
    }

    pub async fn instrument(&self, id: &str) -> AppResult<Instrument> {
        found(self.store.get_instrument(id).await, "仪器")
    }

    /// Instruments are public: anyone searches them.
    pub async fn search_instruments(&self, p: &SearchParams) -> AppResult<Page<Instrument>> {
        self.search_public(p).await
    }
}
