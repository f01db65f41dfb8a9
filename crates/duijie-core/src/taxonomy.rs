//! The field taxonomy (国家重点支持的高新技术领域 plus 现代农业 and 其他), cooperation modes and
//! maturity stages, each with a mapping from the free text people write.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// 技术领域: where a demand or achievement belongs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
    #[serde(into = "&'static str", try_from = "String")]
    labels "领域" enum Field {
        ElectronicInformation => "电子信息",
        Biomedicine => "生物与新医药",
        Aerospace => "航空航天",
        NewMaterials => "新材料",
        HighTechServices => "高技术服务",
        NewEnergy => "新能源与节能",
        ResourcesEnvironment => "资源与环境",
        AdvancedManufacturing => "先进制造与自动化",
        ModernAgriculture => "现代农业",
        Other => "其他",
    }
}

impl Field {
    /// Maps free text (`新能源`, `生物医药`, `智能制造`, `农业`) onto the taxonomy by its cue
    /// words; the first field whose cue occurs wins, [`Field::Other`] when none does.
    pub fn classify(text: &str) -> Field {
        let t = crate::text::fold_width(text);
        if let Some(f) = Field::from_label(&t) {
            return f;
        }
        for (field, cues) in FIELD_CUES {
            if cues.iter().any(|c| t.contains(c)) {
                return *field;
            }
        }
        Field::Other
    }
}

/// Cue words per field, most specific first (航空 before 材料, 新能源 before 电子...).
const FIELD_CUES: &[(Field, &[&str])] = &[
    (
        Field::Aerospace,
        &["航空", "航天", "飞行器", "无人机", "卫星"],
    ),
    (
        Field::Biomedicine,
        &[
            "生物", "医药", "医疗", "药", "医学", "基因", "疫苗", "诊断", "健康", "临床",
        ],
    ),
    (
        Field::NewEnergy,
        &[
            "新能源",
            "节能",
            "能源",
            "光伏",
            "储能",
            "电池",
            "氢能",
            "风电",
            "核电",
            "充电",
        ],
    ),
    (
        Field::ModernAgriculture,
        &[
            "农业", "农", "林业", "畜牧", "养殖", "种植", "渔", "食品", "育种", "园艺", "茶",
        ],
    ),
    (
        Field::ResourcesEnvironment,
        &[
            "环境",
            "环保",
            "资源",
            "污染",
            "生态",
            "废水",
            "固废",
            "水处理",
            "地质",
            "矿",
        ],
    ),
    (
        Field::NewMaterials,
        &[
            "材料",
            "高分子",
            "合金",
            "陶瓷",
            "纳米",
            "复合",
            "涂层",
            "化工",
            "纤维",
        ],
    ),
    (
        Field::AdvancedManufacturing,
        &[
            "制造",
            "自动化",
            "装备",
            "机械",
            "机器人",
            "数控",
            "智能制造",
            "工业",
            "汽车",
            "仪器",
        ],
    ),
    (
        Field::ElectronicInformation,
        &[
            "电子",
            "信息",
            "软件",
            "通信",
            "计算机",
            "人工智能",
            "数据",
            "芯片",
            "集成电路",
            "物联网",
            "网络",
        ],
    ),
    (
        Field::HighTechServices,
        &[
            "服务", "咨询", "检测", "设计", "管理", "金融", "文化", "创意", "经济",
        ],
    ),
];

wire_enum! {
    /// 合作方式: how the enterprise wants to work with a partner.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(into = "&'static str", try_from = "String")]
    labels "合作方式" enum CoopMode {
        Transfer => "技术转让",
        License => "技术许可",
        JointDevelopment => "合作开发",
        Commissioned => "委托开发",
        /// 技术服务 / 技术咨询
        Service => "技术服务",
        /// 共建平台 / 共建研发机构
        JointPlatform => "共建平台",
        Equity => "作价入股",
        /// 人才引进 / 人才培养
        Talent => "人才合作",
        Other => "其他",
    }
}

impl CoopMode {
    /// Maps one written mode (`转让`, `委托研发`, `技术咨询`, `产学研合作`) onto a mode.
    pub fn classify(text: &str) -> CoopMode {
        let t = text.trim();
        if let Some(m) = CoopMode::from_label(t) {
            return m;
        }
        let cues: &[(CoopMode, &[&str])] = &[
            (CoopMode::Transfer, &["转让", "购买", "受让"]),
            (CoopMode::License, &["许可", "授权"]),
            (CoopMode::Commissioned, &["委托"]),
            (
                CoopMode::JointPlatform,
                &["共建", "平台", "研发中心", "实验室", "工作站"],
            ),
            (CoopMode::Equity, &["入股", "作价", "投资"]),
            (CoopMode::Talent, &["人才", "引进", "培养", "培训"]),
            (CoopMode::Service, &["服务", "咨询", "检测", "指导"]),
            (
                CoopMode::JointDevelopment,
                &["合作", "联合", "开发", "攻关", "研发"],
            ),
        ];
        cues.iter()
            .find(|(_, words)| words.iter().any(|w| t.contains(w)))
            .map(|(m, _)| *m)
            .unwrap_or(CoopMode::Other)
    }

    /// Splits a cell such as `技术转让、合作开发/委托开发` into modes, without duplicates.
    pub fn parse_list(text: &str) -> Vec<CoopMode> {
        let mut out = Vec::new();
        for part in text.split(|c: char| "、,，;；/|和及或".contains(c) || c.is_whitespace())
        {
            if part.trim().is_empty() {
                continue;
            }
            let m = CoopMode::classify(part);
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }
}

wire_enum! {
    /// 成熟度: how far an achievement has come.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
    #[serde(into = "&'static str", try_from = "String")]
    labels "成熟度" enum Maturity {
        /// 研发 / 实验室阶段
        Research => "研发",
        Lab => "小试",
        Pilot => "中试",
        /// 产业化 / 批量生产
        Industrial => "产业化",
    }
}

impl Maturity {
    /// Maps written stages (`实验室阶段`, `小试阶段`, `中试`, `已量产`) onto a stage.
    pub fn classify(text: &str) -> Option<Maturity> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if ["产业化", "量产", "批量", "推广", "应用", "成熟"]
            .iter()
            .any(|w| t.contains(w))
        {
            Some(Maturity::Industrial)
        } else if t.contains("中试") {
            Some(Maturity::Pilot)
        } else if t.contains("小试") || t.contains("样机") || t.contains("样品") {
            Some(Maturity::Lab)
        } else if ["研发", "研究", "实验室", "理论", "概念"]
            .iter()
            .any(|w| t.contains(w))
        {
            Some(Maturity::Research)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_fields_map_onto_the_taxonomy() {
        assert_eq!(Field::classify("新材料"), Field::NewMaterials);
        assert_eq!(Field::classify("生物医药"), Field::Biomedicine);
        assert_eq!(Field::classify("新能源汽车电池"), Field::NewEnergy);
        assert_eq!(Field::classify("智能制造"), Field::AdvancedManufacturing);
        assert_eq!(
            Field::classify("现代农业（种植）"),
            Field::ModernAgriculture
        );
        assert_eq!(
            Field::classify("软件和信息服务"),
            Field::ElectronicInformation
        );
        assert_eq!(Field::classify("节能环保"), Field::NewEnergy);
        assert_eq!(Field::classify("无人机"), Field::Aerospace);
        assert_eq!(Field::classify("某某"), Field::Other);
    }

    #[test]
    fn field_wire_form_is_the_label() {
        let json = serde_json::to_string(&Field::NewMaterials).unwrap();
        assert_eq!(json, "\"新材料\"");
        let back: Field = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Field::NewMaterials);
        let err = serde_json::from_str::<Field>("\"魔法\"").unwrap_err();
        assert!(err.to_string().contains("可选"));
    }

    #[test]
    fn modes_split_and_classify() {
        assert_eq!(
            CoopMode::parse_list("技术转让、委托研发/技术咨询 产学研合作"),
            vec![
                CoopMode::Transfer,
                CoopMode::Commissioned,
                CoopMode::Service,
                CoopMode::JointDevelopment
            ]
        );
        assert!(CoopMode::parse_list("").is_empty());
    }

    #[test]
    fn maturity_stages() {
        assert_eq!(Maturity::classify("小试阶段"), Some(Maturity::Lab));
        assert_eq!(Maturity::classify("中试"), Some(Maturity::Pilot));
        assert_eq!(Maturity::classify("已批量生产"), Some(Maturity::Industrial));
        assert_eq!(Maturity::classify("实验室阶段"), Some(Maturity::Research));
        assert_eq!(Maturity::classify("？"), None);
    }
}
