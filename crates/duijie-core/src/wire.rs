//! Enums with a fixed set of wire names (the strings the API, the store and the forms use).
//! Each such enum used to spell its variants three or four times (the declaration, `ALL`,
//! `as_str`, `label`); [`wire_enum!`] takes one table and writes them all, so that a variant
//! cannot be added to one list and forgotten in another.

/// Declares a fieldless enum from a table of its variants and their names:
///
/// ```ignore
/// wire_enum! {
///     /// Where a committee stands.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
///     #[serde(rename_all = "snake_case")]
///     pub enum CommitteeStatus {
///         /// Proposed, being adjusted by the bureau.
///         Draft => ("draft", "草案"),
///         Confirmed => ("confirmed", "已确认"),
///     }
/// }
/// ```
///
/// gives the enum (with its attributes and the variants' docs), `ALL` (every variant in the
/// order written), `as_str` (the wire name), `parse` (its inverse) and, where the table has a
/// second column, `label` (the Chinese name pages and exports show). A table with one column
/// (`Draft => "draft",`) has no `label`. The serde attributes stay the caller's: the tests check
/// that they agree with `as_str`.
///
/// `labels "领域" enum Field { .. }` instead of `pub enum` declares an enum whose wire form
/// *is* its Chinese label (the taxonomy): besides the above (`as_str` and `label` the same),
/// `from_label` (spaces around it forgiven), serde's `From<_> for &'static str` and a
/// `TryFrom<String>` whose error names the noun and lists the labels.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => ($wire:literal, $label:literal),)*
        }
    ) => {
        $crate::wire::wire_enum! {
            $(#[$meta])*
            pub enum $name { $($(#[$vmeta])* $variant => $wire,)* }
        }
        $crate::wire::wire_enum!(@label $name { $($variant => $label,)* });
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant),*];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }

            /// The variant of a wire name; `None` for anything else.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|v| v.as_str() == s)
            }
        }
    };
    (
        $(#[$meta:meta])*
        labels $noun:literal enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $label:literal,)*
        }
    ) => {
        // The label is the wire name: `as_str` and `parse` are `label` and `from_label`.
        $crate::wire::wire_enum! {
            $(#[$meta])*
            pub enum $name { $($(#[$vmeta])* $variant => $label,)* }
        }
        $crate::wire::wire_enum!(@label $name { $($variant => $label,)* });

        impl $name {
            /// The exact label (surrounding spaces aside), or `None`.
            pub fn from_label(s: &str) -> Option<$name> {
                $name::parse(s.trim())
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> Self {
                v.label()
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::from_label(&s).ok_or_else(|| {
                    let allowed = $name::ALL.map($name::label).join("、");
                    format!(concat!("未知", $noun, "“{}”，可选：{}"), s, allowed)
                })
            }
        }
    };
    (@label $name:ident { $($variant:ident => $label:literal,)* }) => {
        impl $name {
            /// How pages and exports name it.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use crate::curation::DoubtCode;
    use crate::*;
    use serde::Serialize;
    use std::fmt::Debug;

    /// Every variant goes out under its wire name and `parse` reads that name back.
    fn round_trips<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Serialize + Copy + PartialEq + Debug,
    {
        for v in all {
            assert_eq!(serde_json::to_value(v).unwrap(), as_str(*v), "{v:?}");
            assert_eq!(parse(as_str(*v)), Some(*v));
        }
        assert_eq!(parse("no such name"), None);
    }

    #[test]
    fn serde_and_parse_agree_with_the_wire_names() {
        round_trips(&OrgKind::ALL, OrgKind::as_str, OrgKind::parse);
        round_trips(
            &DemandStatus::ALL,
            DemandStatus::as_str,
            DemandStatus::parse,
        );
        round_trips(&EntityKind::ALL, EntityKind::as_str, EntityKind::parse);
        round_trips(&Role::ALL, Role::as_str, Role::parse);
        round_trips(
            &CommitteeStatus::ALL,
            CommitteeStatus::as_str,
            CommitteeStatus::parse,
        );
        round_trips(
            &ProjectStatus::ALL,
            ProjectStatus::as_str,
            ProjectStatus::parse,
        );
        round_trips(
            &InterestStatus::ALL,
            InterestStatus::as_str,
            InterestStatus::parse,
        );
        round_trips(
            &CatalogueStatus::ALL,
            CatalogueStatus::as_str,
            CatalogueStatus::parse,
        );
        round_trips(
            &NotificationKind::ALL,
            NotificationKind::as_str,
            NotificationKind::parse,
        );
        round_trips(&Delivery::ALL, Delivery::as_str, Delivery::parse);
        round_trips(&DoubtCode::ALL, DoubtCode::as_str, DoubtCode::parse);
        round_trips(&Field::ALL, Field::label, Field::from_label);
        round_trips(&CoopMode::ALL, CoopMode::label, CoopMode::from_label);
        round_trips(&Maturity::ALL, Maturity::label, Maturity::from_label);
    }

    #[test]
    fn labels_are_forgiving_of_spaces_and_name_the_choices() {
        assert_eq!(Maturity::from_label(" 中试 "), Some(Maturity::Pilot));
        let err = Maturity::try_from("量产".to_string()).unwrap_err();
        assert_eq!(err, "未知成熟度“量产”，可选：研发、小试、中试、产业化");
    }
}
