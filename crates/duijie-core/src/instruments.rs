//! Shared research instruments (科研仪器共享) that institutions offer to enterprises.

use crate::taxonomy::Field;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// 科研仪器 as a form or JSON body gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstrumentDraft {
    /// 仪器名称
    pub name: String,
    /// 型号
    pub model: String,
    /// Technical fields the instrument serves, taxonomy values, the first one primary.
    pub fields: Vec<Field>,
    /// 主要功能与技术指标
    pub description: String,
    /// 放置地点
    pub location: String,
    /// 开放共享 / 预约条款 (opening hours, fees, who may book).
    pub booking_terms: String,
}

/// 科研仪器: an instrument an institution opens to others (大型科研仪器开放共享).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    #[serde(flatten)]
    pub body: InstrumentDraft,
    /// Raised by every write (the API's ETag).
    #[serde(default)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
