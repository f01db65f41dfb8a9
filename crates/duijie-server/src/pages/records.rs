//! Achievements, experts and institutions: the searchable lists and each record's page, whose
//! links lead from evidence to the whole organisation.

use super::render::{ok_page, PageResult};
use super::session::ById;
use crate::views::{AchievementJson, ExpertJson};

use minijinja::context;

pub async fn achievement(ById { s, session, id }: ById) -> PageResult {
    let a = AchievementJson::from(s.app.achievement(&id).await?);
    let mut facts = Vec::new();
    // Evidence leads somewhere: the institution's page and the leader's.
    let mut links = vec![link(
        "完成单位",
        &a.institution.name,
        "organizations",
        &a.institution.id,
    )];
    match (&a.leader, &a.expert_id) {
        (Some(leader), Some(expert)) => {
            links.push(link("负责人", leader, "experts", expert));
        }
        (Some(leader), None) => facts.push(("负责人", leader.clone())),
        _ => {}
    }
    if let Some(f) = a.field {
        facts.push(("技术领域", f.to_string()));
    }
    if let Some(m) = a.maturity {
        facts.push(("成熟度", m.to_string()));
    }
    if let Some(y) = a.year {
        facts.push(("年份", y.to_string()));
    }
    if let Some(r) = &a.region {
        facts.push(("所在地区", r.clone()));
    }
    if !a.keywords.is_empty() {
        facts.push(("关键词", a.keywords.join("、")));
    }
    let mut sections = vec![
        context! { heading => "成果简介", text => if a.summary.is_empty() { "（目录未提供简介）".to_string() } else { a.summary.clone() } },
    ];
    if let Some(raw) = &a.field_raw {
        sections.push(context! { heading => "原始领域", text => raw });
    }
    let ctx = context! {
        title => a.title,
        heading => a.title,
        tags => a.field.map(|f| vec![f]).unwrap_or_default(),
        org => a.institution.name,
        back => "/achievements",
        sections,
        facts,
        links,
        lists => Vec::<minijinja::Value>::new(),
    };
    ok_page(&session, "record.html", "achievements", ctx)
}

pub async fn expert(ById { s, session, id }: ById) -> PageResult {
    let e = ExpertJson::from(s.app.expert(&session.caller, &id).await?);
    let led = s.app.achievements_led_by(&id, RECORDS_LISTED).await?;
    let mut facts = Vec::new();
    let links = vec![link(
        "工作单位",
        &e.institution.name,
        "organizations",
        &e.institution.id,
    )];
    for (label, value) in [
        ("职称", &e.title),
        ("院系", &e.department),
        ("电话", &e.phone),
        ("电子邮箱", &e.email),
    ] {
        if let Some(v) = value {
            facts.push((label, v.clone()));
        }
    }
    if let Some(f) = e.field {
        facts.push(("技术领域", f.to_string()));
    }
    if !e.keywords.is_empty() {
        facts.push(("关键词", e.keywords.join("、")));
    }
    let mut sections = Vec::new();
    if !e.research_areas.is_empty() {
        sections.push(context! { heading => "研究方向", text => e.research_areas.join("；") });
    }
    sections.push(context! { heading => "个人简介", text => if e.bio.is_empty() { "（目录未提供简介）".to_string() } else { e.bio.clone() } });
    let ctx = context! {
        title => e.name,
        heading => e.name,
        tags => e.title.iter().collect::<Vec<_>>(),
        org => e.institution.name,
        back => "/experts",
        sections,
        facts,
        links,
        lists => vec![record_list(
            "负责的项目与成果",
            "achievements",
            led.iter().map(|a| (a.id.as_str(), a.body.title.clone(), a.body.year.map(|y| y.to_string()))),
        )],
    };
    ok_page(&session, "record.html", "experts", ctx)
}

/// Records listed per kind on an expert's or an institution's page.
const RECORDS_LISTED: usize = 20;

/// A fact that links to another record's page (`/{path}/{id}`).
fn link(label: &str, text: &str, path: &str, id: &str) -> minijinja::Value {
    context! { label => label, text => text, path => path, id => id }
}

/// A titled list of records of one kind (`/{path}/{id}`): (id, title, note).
fn record_list<'a>(
    heading: &str,
    path: &str,
    items: impl Iterator<Item = (&'a str, String, Option<String>)>,
) -> minijinja::Value {
    let items: Vec<minijinja::Value> = items
        .map(|(id, title, note)| context! { path => path, id => id, title => title, note => note })
        .collect();
    context! { heading => heading, items => items }
}

/// An institution's page: what it offers — achievements, experts and shared instruments —
/// so that evidence behind a match leads to the whole organisation.
pub async fn organization(ById { s, session, id }: ById) -> PageResult {
    let (org, counts) = s.app.organization(&id).await?;
    let (achievements, experts, instruments) = s
        .app
        .organization_records(&session.caller, &id, RECORDS_LISTED)
        .await?;
    let facts = vec![
        ("科技成果", counts.achievements.to_string()),
        ("专家", counts.experts.to_string()),
        ("技术需求", counts.demands.to_string()),
    ];
    let lists = vec![
        record_list(
            "科技成果",
            "achievements",
            achievements
                .iter()
                .map(|a| (a.id.as_str(), a.body.title.clone(), a.body.leader.clone())),
        ),
        record_list(
            "专家",
            "experts",
            experts.iter().map(|e| {
                (
                    e.id.as_str(),
                    e.body.name.clone(),
                    (!e.body.research_areas.is_empty()).then(|| e.body.research_areas.join("；")),
                )
            }),
        ),
        record_list(
            "可共享的科研仪器",
            "instruments",
            instruments.iter().map(|i| {
                (
                    i.id.as_str(),
                    i.body.name.clone(),
                    (!i.body.model.is_empty()).then(|| i.body.model.clone()),
                )
            }),
        ),
    ];
    let ctx = context! {
        title => org.name.clone(),
        heading => org.name.clone(),
        tags => vec![org.kind.label()],
        org => "",
        back => "/achievements",
        sections => Vec::<minijinja::Value>::new(),
        facts,
        links => Vec::<minijinja::Value>::new(),
        lists,
    };
    ok_page(&session, "record.html", "achievements", ctx)
}
