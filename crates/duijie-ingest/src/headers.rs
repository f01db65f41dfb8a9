//! Column headers: the synonyms people write for each field, how a header cell is normalised
//! before matching, and what a set of recognised columns says about the kind of catalogue.

use duijie_core::text::fold_char;
use duijie_core::RecordKind;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a catalogue column holds, as far as duijie cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Col {
    /// 项目名称, 名称, title: a demand or an achievement title, depending on the catalogue.
    Title,
    /// 需求名称
    DemandTitle,
    /// 成果名称
    AchievementTitle,
    /// 需求单位, 企业名称
    Enterprise,
    /// 完成单位, 依托单位, organization
    Institution,
    /// 单位名称, 单位: the organisation, whichever side it is on.
    OrgAny,
    /// 统一社会信用代码
    CreditCode,
    /// 需求内容
    Description,
    /// 预期目标
    Goals,
    /// 成果简介
    Summary,
    /// 简介: description, summary or bio, depending on the catalogue.
    Intro,
    /// 所属领域
    Field,
    /// 合作方式
    Modes,
    /// 拟投入资金
    Budget,
    /// 金额, money: a grant for funded projects, a budget in a demand list.
    Funding,
    /// 所在地
    Region,
    /// 联系人
    ContactName,
    /// 联系电话
    Phone,
    /// 电子邮箱
    Email,
    /// 负责人, personText
    Leader,
    /// 姓名, 专家姓名
    Name,
    /// 关键词
    Keywords,
    /// 成熟度
    Maturity,
    /// 批准年份, approveYear
    Year,
    /// 起止年月: the year is its first four digits.
    Period,
    /// 截止日期
    Deadline,
    /// 职称
    ProfTitle,
    /// 院系
    Department,
    /// 研究方向
    Research,
    /// 个人简介
    Bio,
    /// Recognised as a header (序号, 项目批准号, searchCode) but not read.
    Ignored,
}

impl Col {
    /// The Chinese name used in reports.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Col::Title => "项目名称",
            Col::DemandTitle => "需求名称",
            Col::AchievementTitle => "成果名称",
            Col::Enterprise => "需求单位",
            Col::Institution => "完成单位",
            Col::OrgAny => "单位名称",
            Col::CreditCode => "统一社会信用代码",
            Col::Description => "需求内容",
            Col::Goals => "预期目标",
            Col::Summary => "成果简介",
            Col::Intro => "简介",
            Col::Field => "所属领域",
            Col::Modes => "合作方式",
            Col::Budget => "拟投入资金",
            Col::Funding => "金额",
            Col::Region => "所在地",
            Col::ContactName => "联系人",
            Col::Phone => "联系电话",
            Col::Email => "电子邮箱",
            Col::Leader => "负责人",
            Col::Name => "姓名",
            Col::Keywords => "关键词",
            Col::Maturity => "成熟度",
            Col::Year => "年份",
            Col::Period => "起止年月",
            Col::Deadline => "截止日期",
            Col::ProfTitle => "职称",
            Col::Department => "院系",
            Col::Research => "研究方向",
            Col::Bio => "个人简介",
            Col::Ignored => "",
        }
    }
}

/// Header synonyms, written as people write them; they are normalised like header cells.
const SYNONYMS: &[(Col, &[&str])] = &[
    (
        Col::Title,
        &[
            "项目名称",
            "名称",
            "标题",
            "题目",
            "课题名称",
            "项目",
            "title",
        ],
    ),
    (
        Col::DemandTitle,
        &[
            "需求名称",
            "技术需求名称",
            "难题名称",
            "需求标题",
            "技术难题名称",
            "需求项目名称",
            "技术需求",
            "技术难题",
            "需求题目",
            "需求",
        ],
    ),
    (
        Col::AchievementTitle,
        &[
            "成果名称",
            "技术名称",
            "成果标题",
            "科技成果名称",
            "技术成果名称",
            "专利名称",
            "成果",
        ],
    ),
    (
        Col::Enterprise,
        &[
            "需求单位",
            "企业名称",
            "申报单位",
            "需求方",
            "企业",
            "需求企业",
            "需求单位名称",
            "企业全称",
            "公司名称",
            "company",
            "enterprise",
        ],
    ),
    (
        Col::Institution,
        &[
            "完成单位",
            "依托单位",
            "成果持有单位",
            "所属单位",
            "工作单位",
            "承担单位",
            "第一完成单位",
            "所在单位",
            "持有单位",
            "成果单位",
            "高校名称",
            "高校",
            "学校",
            "院校",
            "科研院所",
            "organization",
            "organisation",
            "institution",
            "university",
            "affiliation",
        ],
    ),
    (
        Col::OrgAny,
        &[
            "单位名称",
            "单位",
            "机构名称",
            "机构",
            "组织名称",
            "org",
            "unit",
        ],
    ),
    (
        Col::CreditCode,
        &[
            "统一社会信用代码",
            "社会信用代码",
            "信用代码",
            "组织机构代码",
            "creditcode",
            "uscc",
        ],
    ),
    (
        Col::Description,
        &[
            "需求内容",
            "需求描述",
            "技术难题描述",
            "需求简介",
            "主要内容",
            "需求详情",
            "难题描述",
            "需求说明",
            "技术需求描述",
            "具体需求",
            "问题描述",
            "内容",
            "描述",
            "description",
            "desc",
            "details",
            "content",
        ],
    ),
    (
        Col::Goals,
        &[
            "预期目标",
            "主要技术指标",
            "预期效果",
            "技术指标",
            "目标",
            "预期成果",
            "技术要求",
            "goals",
            "goal",
        ],
    ),
    (
        Col::Summary,
        &[
            "成果简介",
            "项目简介",
            "技术简介",
            "摘要",
            "成果介绍",
            "成果描述",
            "技术内容",
            "项目摘要",
            "summary",
            "abstract",
        ],
    ),
    (Col::Intro, &["简介", "介绍", "intro", "introduction"]),
    (
        Col::Field,
        &[
            "所属领域",
            "技术领域",
            "行业领域",
            "所属行业",
            "学科领域",
            "领域",
            "行业",
            "产业领域",
            "应用领域",
            "行业类别",
            "学科",
            "field",
            "domain",
            "industry",
        ],
    ),
    (
        Col::Modes,
        &[
            "合作方式",
            "拟合作方式",
            "期望合作方式",
            "转化方式",
            "合作模式",
            "合作形式",
            "对接方式",
            "cooperation",
            "mode",
            "modes",
        ],
    ),
    (
        Col::Budget,
        &[
            "拟投入资金",
            "拟投入经费",
            "投入资金（万元）",
            "预算",
            "投资额",
            "经费预算",
            "拟投资金额",
            "拟投入金额",
            "预计投入",
            "投入经费",
            "研发投入",
            "资金",
            "budget",
        ],
    ),
    (
        Col::Funding,
        &[
            "金额",
            "资助金额",
            "批准金额",
            "经费",
            "资助经费",
            "money",
            "amount",
            "funding",
        ],
    ),
    (
        Col::Region,
        &[
            "所在地",
            "所在地区",
            "县（市、区）",
            "地区",
            "区域",
            "所在区域",
            "地市",
            "所在城市",
            "城市",
            "省份",
            "所在省份",
            "区县",
            "县区",
            "所属地区",
            "地址",
            "region",
            "location",
            "city",
            "province",
        ],
    ),
    (
        Col::ContactName,
        &[
            "联系人",
            "联系人姓名",
            "contact",
            "contactname",
            "contactperson",
        ],
    ),
    (
        Col::Phone,
        &[
            "联系电话",
            "手机",
            "电话",
            "手机号码",
            "手机号",
            "联系方式",
            "办公电话",
            "phone",
            "tel",
            "telephone",
            "mobile",
        ],
    ),
    (
        Col::Email,
        &["电子邮箱", "邮箱", "电子邮件", "email", "mail"],
    ),
    (
        Col::Leader,
        &[
            "负责人",
            "项目负责人",
            "成果负责人",
            "主要完成人",
            "完成人",
            "第一完成人",
            "发明人",
            "团队负责人",
            "persontext",
            "leader",
            "pi",
            "person",
        ],
    ),
    (
        Col::Name,
        &["姓名", "专家姓名", "专家", "名字", "name", "expertname"],
    ),
    (
        Col::Keywords,
        &[
            "关键词",
            "关键字",
            "技术关键词",
            "keywords",
            "keyword",
            "tags",
        ],
    ),
    (
        Col::Maturity,
        &[
            "成熟度",
            "技术成熟度",
            "成果阶段",
            "所处阶段",
            "研发阶段",
            "技术阶段",
            "成果成熟度",
            "成熟程度",
            "maturity",
            "stage",
        ],
    ),
    (
        Col::Year,
        &[
            "批准年份",
            "年度",
            "立项年份",
            "年份",
            "完成年份",
            "登记年份",
            "批准年度",
            "立项年度",
            "approveyear",
            "year",
        ],
    ),
    (
        Col::Period,
        &[
            "起止年月",
            "起止时间",
            "执行期限",
            "研究期限",
            "项目周期",
            "起止日期",
            "执行期",
        ],
    ),
    (
        Col::Deadline,
        &[
            "截止日期",
            "截止时间",
            "需求截止日期",
            "有效期",
            "有效期至",
            "完成时限",
            "期望完成时间",
            "需求有效期",
            "deadline",
            "duedate",
        ],
    ),
    (
        Col::ProfTitle,
        &[
            "职称",
            "专业技术职称",
            "技术职称",
            "职务",
            "职称职务",
            "职称/职务",
            "position",
            "professionaltitle",
            "academictitle",
            "academictitles",
            "rank",
        ],
    ),
    (
        Col::Department,
        &[
            "院系",
            "所在院系",
            "部门",
            "学院",
            "所在学院",
            "系所",
            "科室",
            "所在部门",
            "department",
            "dept",
            "school",
        ],
    ),
    (
        Col::Research,
        &[
            "研究方向",
            "研究领域",
            "主要研究方向",
            "专业领域",
            "擅长领域",
            "研究专长",
            "专业方向",
            "研究兴趣",
            "researchareas",
            "research",
            "researchfield",
            "interests",
            "expertise",
        ],
    ),
    (
        Col::Bio,
        &[
            "个人简介",
            "专家简介",
            "个人介绍",
            "简历",
            "个人简历",
            "bio",
            "biography",
            "profile",
            "resume",
        ],
    ),
    (
        Col::Ignored,
        &[
            "序号",
            "序",
            "编号",
            "编码",
            "项目编号",
            "需求编号",
            "成果编号",
            "项目批准号",
            "批准号",
            "项目类别",
            "资助类别",
            "申请代码",
            "总评",
            "备注",
            "index",
            "no",
            "id",
            "approvetext",
            "searchyear",
            "searchfund",
            "searchcode",
            "codetext",
            "fundtypetext",
            "endyear",
        ],
    ),
];

/// Fallback for headers with extra words (`需求单位名称（盖章）`, `联系电话/手机`): the first rule
/// whose cue occurs wins, so the order puts specific cues before generic ones. Only short
/// headers are tried, so a title row that happens to mention `需求` is not taken for one.
const CUES: &[(Col, &[&str])] = &[
    (Col::CreditCode, &["信用代码", "机构代码"]),
    (Col::Email, &["邮箱", "邮件", "email"]),
    (Col::Phone, &["电话", "手机", "联系方式", "phone", "mobile"]),
    (Col::ContactName, &["联系人"]),
    (Col::Keywords, &["关键词", "关键字", "keyword"]),
    (
        Col::Modes,
        &["合作方式", "合作模式", "合作形式", "转化方式"],
    ),
    (Col::Maturity, &["成熟度", "阶段"]),
    (Col::Period, &["起止", "执行期"]),
    (Col::Deadline, &["截止", "期限", "有效期"]),
    (
        Col::Research,
        &["研究方向", "研究领域", "研究兴趣", "专业方向", "擅长"],
    ),
    (Col::Budget, &["资金", "预算", "投入", "投资"]),
    (Col::Funding, &["金额", "经费"]),
    (Col::Field, &["领域", "行业", "学科"]),
    (
        Col::DemandTitle,
        &["需求名称", "需求标题", "难题名称", "需求项目"],
    ),
    (Col::AchievementTitle, &["成果名称", "技术名称", "专利名称"]),
    (
        Col::Enterprise,
        &["企业名称", "需求单位", "需求企业", "需求方"],
    ),
    (
        Col::Institution,
        &[
            "完成单位",
            "依托单位",
            "持有单位",
            "承担单位",
            "工作单位",
            "所在单位",
            "所属单位",
            "高校",
            "院校",
            "学校",
        ],
    ),
    (
        Col::Description,
        &[
            "需求内容",
            "需求描述",
            "难题描述",
            "需求简介",
            "需求详情",
            "需求说明",
            "问题描述",
        ],
    ),
    (
        Col::Summary,
        &[
            "成果简介",
            "成果介绍",
            "项目简介",
            "技术简介",
            "成果描述",
            "摘要",
        ],
    ),
    (Col::Bio, &["个人简介", "专家简介", "个人介绍", "简历"]),
    (Col::Goals, &["目标", "指标", "预期"]),
    (Col::Leader, &["负责人", "完成人", "发明人"]),
    (Col::Name, &["姓名"]),
    (Col::ProfTitle, &["职称"]),
    (Col::Department, &["院系", "学院", "系所", "部门"]),
    (
        Col::Region,
        &["所在地", "地区", "区域", "省份", "城市", "地市"],
    ),
    (Col::Year, &["年份", "年度"]),
    (Col::Title, &["名称", "标题"]),
    (Col::OrgAny, &["单位", "机构"]),
];

/// Endings of organisation names, which are data, never headers.
const ORG_SUFFIXES: &[&str] = &[
    "公司",
    "大学",
    "学院",
    "学校",
    "研究院",
    "研究所",
    "中心",
    "集团",
    "厂",
    "医院",
    "实验室",
];

/// Longest normalised header (in chars) the cue rules are tried on.
const MAX_CUE_HEADER_CHARS: usize = 12;

/// Normalises a header cell for matching: full-width folded, whitespace and line breaks,
/// `*` required markers, `:` and `_`/`-` separators removed, bracketed parts such as `（万元）`
/// and `【必填】` dropped, ASCII lower-cased.
pub(crate) fn normalize_header(s: &str) -> String {
    normalized_chars(s).collect()
}

/// The characters of [`normalize_header`], lazily, so a cell can be compared with a header
/// without allocating.
pub(crate) fn normalized_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut depth = 0u32;
    s.chars().map(fold_char).filter_map(move |c| match c {
        '(' | '[' | '{' | '【' | '〔' | '〖' | '<' | '《' => {
            depth += 1;
            None
        }
        ')' | ']' | '}' | '】' | '〕' | '〗' | '>' | '》' => {
            depth = depth.saturating_sub(1);
            None
        }
        _ if depth > 0 => None,
        '*' | '※' | '★' | ':' | '：' | '_' | '-' | '.' | '·' | '"' | '\'' => None,
        c if c.is_whitespace() => None,
        c => Some(c.to_ascii_lowercase()),
    })
}

fn synonym_map() -> &'static HashMap<String, Col> {
    static MAP: OnceLock<HashMap<String, Col>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for (col, words) in SYNONYMS {
            for w in *words {
                // The first listing of a word wins; the table is written without clashes.
                map.entry(normalize_header(w)).or_insert(*col);
            }
        }
        map
    })
}

/// The column a header cell names, if any.
pub(crate) fn classify_header(raw: &str) -> Option<Col> {
    let norm = normalize_header(raw);
    if norm.is_empty() {
        return None;
    }
    if let Some(col) = synonym_map().get(&norm) {
        return Some(*col);
    }
    // Organisation names in data rows (`三门峡职业技术学院`) must not pass for headers.
    if norm.chars().count() > MAX_CUE_HEADER_CHARS || ORG_SUFFIXES.iter().any(|s| norm.ends_with(s))
    {
        return None;
    }
    CUES.iter()
        .find(|(_, cues)| cues.iter().any(|c| norm.contains(c)))
        .map(|(col, _)| *col)
}

/// The recognised columns of one table: for each column index, the field it holds and the
/// header text as written (for reports).
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    /// Header text per column, whitespace collapsed but otherwise as written.
    texts: Vec<String>,
    /// Header text per column, normalised for matching.
    norm_texts: Vec<String>,
    /// `(field, column index)` in column order; a field may have several columns.
    mapped: Vec<(Col, usize)>,
}

impl Columns {
    pub(crate) fn from_texts<S: AsRef<str>>(texts: &[S]) -> Columns {
        let mut mapped = Vec::new();
        let mut out_texts = Vec::with_capacity(texts.len());
        let mut norm_texts = Vec::with_capacity(texts.len());
        for (i, t) in texts.iter().enumerate() {
            let t = t.as_ref();
            if let Some(col) = classify_header(t) {
                mapped.push((col, i));
            }
            out_texts.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
            norm_texts.push(normalize_header(t));
        }
        Columns {
            texts: out_texts,
            norm_texts,
            mapped,
        }
    }

    /// How many cells were recognised: the header-row score.
    pub(crate) fn score(&self) -> usize {
        self.mapped.len()
    }

    pub(crate) fn has(&self, col: Col) -> bool {
        self.mapped.iter().any(|(c, _)| *c == col)
    }

    /// The column indexes holding `col`, in order.
    pub(crate) fn indexes(&self, col: Col) -> impl Iterator<Item = usize> + '_ {
        self.mapped
            .iter()
            .filter(move |(c, _)| *c == col)
            .map(|(_, i)| *i)
    }

    /// The field of column `index`, if recognised.
    pub(crate) fn col_at(&self, index: usize) -> Option<Col> {
        self.mapped
            .iter()
            .find(|(_, i)| *i == index)
            .map(|(c, _)| *c)
    }

    /// The header text of column `index` as written.
    pub(crate) fn text(&self, index: usize) -> &str {
        self.texts.get(index).map(String::as_str).unwrap_or("")
    }

    /// Whether `cell` is the header of column `index` again (ignoring what matching ignores).
    pub(crate) fn is_header_text(&self, index: usize, cell: &str) -> bool {
        let Some(norm) = self.norm_texts.get(index) else {
            return false;
        };
        // Long cells cannot normalise down to a short header; skip the comparison.
        !norm.is_empty()
            && cell.len() <= norm.len() * 4 + 16
            && normalized_chars(cell).eq(norm.chars())
    }

    /// The header text of the first column holding `col`, or the field's Chinese name.
    pub(crate) fn name_of(&self, col: Col) -> String {
        self.indexes(col)
            .next()
            .map(|i| self.text(i).to_string())
            .unwrap_or_else(|| col.label().to_string())
    }

    pub(crate) fn mapped(&self) -> &[(Col, usize)] {
        &self.mapped
    }

    fn has_any(&self, cols: &[Col]) -> bool {
        cols.iter().any(|c| self.has(*c))
    }

    /// Guesses the kind of catalogue from the recognised columns: a title column means demands
    /// or achievements (weighted by the columns only one of them has); no title but a name
    /// means experts.
    pub(crate) fn detect_kind(&self) -> Option<RecordKind> {
        let titled = self.has_any(&[Col::Title, Col::DemandTitle, Col::AchievementTitle]);
        if !titled {
            return self
                .has_any(&[Col::Name, Col::Leader])
                .then_some(RecordKind::Experts);
        }
        let weigh = |weights: &[(Col, u32)]| -> u32 {
            weights
                .iter()
                .filter(|(c, _)| self.has(*c))
                .map(|(_, w)| w)
                .sum()
        };
        let demand = weigh(&[
            (Col::DemandTitle, 4),
            (Col::Enterprise, 3),
            (Col::CreditCode, 2),
            (Col::Budget, 2),
            (Col::Modes, 2),
            (Col::Goals, 2),
            (Col::Description, 1),
            (Col::Deadline, 1),
            (Col::ContactName, 1),
        ]);
        let achievement = weigh(&[
            (Col::AchievementTitle, 4),
            (Col::Institution, 3),
            (Col::Maturity, 2),
            (Col::Leader, 2),
            (Col::Summary, 1),
            (Col::Year, 1),
            (Col::Period, 1),
            (Col::Funding, 1),
        ]);
        // A bare 项目名称 + 单位名称 list is most often a demand list.
        Some(if achievement > demand {
            RecordKind::Achievements
        } else {
            RecordKind::Demands
        })
    }

    /// The required columns `kind` needs that this table lacks, by their Chinese names.
    pub(crate) fn missing_for(&self, kind: RecordKind) -> Vec<String> {
        const ORGS: &[Col] = &[Col::Institution, Col::OrgAny, Col::Enterprise];
        let groups: [(&str, &[Col]); 2] = match kind {
            RecordKind::Demands => [
                ("需求名称", &[Col::DemandTitle, Col::Title]),
                ("需求单位", &[Col::Enterprise, Col::OrgAny]),
            ],
            RecordKind::Achievements => [
                ("成果名称", &[Col::AchievementTitle, Col::Title]),
                ("完成单位", ORGS),
            ],
            RecordKind::Experts => [("姓名", &[Col::Name, Col::Leader]), ("工作单位", ORGS)],
        };
        groups
            .into_iter()
            .filter(|(_, cols)| !self.has_any(cols))
            .map(|(label, _)| label.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_ignores_width_spaces_markers_and_units() {
        assert_eq!(normalize_header("*拟投入资金\n（万元）"), "拟投入资金");
        assert_eq!(normalize_header("　需求 名称　"), "需求名称");
        assert_eq!(normalize_header("ａｐｐｒｏｖｅ_Year"), "approveyear");
        assert_eq!(normalize_header("联系电话【必填】："), "联系电话");
        assert_eq!(normalize_header("（单位：万元）"), "");
    }

    #[test]
    fn synonyms_and_cues_map_to_fields() {
        assert_eq!(classify_header("需求名称"), Some(Col::DemandTitle));
        assert_eq!(classify_header("企业名称"), Some(Col::Enterprise));
        assert_eq!(classify_header("*拟投入资金（万元）"), Some(Col::Budget));
        assert_eq!(classify_header("县（市、区）"), Some(Col::Region));
        assert_eq!(classify_header("依托单位"), Some(Col::Institution));
        assert_eq!(classify_header("personText"), Some(Col::Leader));
        assert_eq!(classify_header("organization"), Some(Col::Institution));
        assert_eq!(classify_header("approveYear"), Some(Col::Year));
        assert_eq!(classify_header("序号"), Some(Col::Ignored));
        assert_eq!(classify_header("项目名称"), Some(Col::Title));
        assert_eq!(classify_header("研究领域"), Some(Col::Research));
        assert_eq!(classify_header("技术成熟度"), Some(Col::Maturity));
        // Cue rules for headers with extra words.
        assert_eq!(
            classify_header("需求单位名称（盖章）"),
            Some(Col::Enterprise)
        );
        assert_eq!(classify_header("联系电话/手机"), Some(Col::Phone));
        assert_eq!(classify_header("期望的合作方式"), Some(Col::Modes));
        assert_eq!(classify_header("成果所处阶段"), Some(Col::Maturity));
        // A long title row is not a header even though it mentions 需求.
        assert_eq!(
            classify_header("2024年三门峡市企业技术需求汇总表（第一批）"),
            None
        );
        assert_eq!(classify_header("灵宝市金源矿业有限公司"), None);
        assert_eq!(classify_header(""), None);
    }

    #[test]
    fn kind_from_columns() {
        let kind = |h: &[&str]| Columns::from_texts(h).detect_kind();
        assert_eq!(
            kind(&[
                "序号",
                "需求名称",
                "需求单位",
                "合作方式",
                "拟投入资金（万元）"
            ]),
            Some(RecordKind::Demands)
        );
        assert_eq!(
            kind(&[
                "项目批准号",
                "项目类别",
                "项目名称",
                "依托单位",
                "负责人",
                "金额",
                "起止年月",
                "总评"
            ]),
            Some(RecordKind::Achievements)
        );
        assert_eq!(
            kind(&[
                "index",
                "approveText",
                "title",
                "searchYear",
                "searchFund",
                "searchCode",
                "codeText",
                "fundTypeText",
                "personText",
                "money",
                "approveYear",
                "endYear",
                "organization",
                "keywords"
            ]),
            Some(RecordKind::Achievements)
        );
        assert_eq!(
            kind(&["专家姓名", "工作单位", "职称", "研究方向"]),
            Some(RecordKind::Experts)
        );
        assert_eq!(kind(&["项目名称", "单位名称"]), Some(RecordKind::Demands));
        assert_eq!(
            kind(&["成果名称", "完成单位", "成熟度"]),
            Some(RecordKind::Achievements)
        );
        assert_eq!(kind(&["备注", "序号"]), None);
    }

    #[test]
    fn required_columns_per_kind() {
        let cols = Columns::from_texts(&["项目名称", "依托单位", "负责人"]);
        assert!(cols.missing_for(RecordKind::Achievements).is_empty());
        assert_eq!(cols.missing_for(RecordKind::Demands), vec!["需求单位"]);
        assert!(cols.missing_for(RecordKind::Experts).is_empty());
        let cols = Columns::from_texts(&["职称", "研究方向"]);
        assert_eq!(
            cols.missing_for(RecordKind::Experts),
            vec!["姓名", "工作单位"]
        );
    }
}
