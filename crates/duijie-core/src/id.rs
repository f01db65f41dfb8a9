//! Record identifiers: a short type prefix and a time-ordered UUID, e.g. `dem_0192…`.

/// A new identifier with the given prefix (`org`, `dem`, `ach`, `exp`, `imp`, `usr`, ...).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_unique_and_time_ordered() {
        let a = new_id("dem");
        let b = new_id("dem");
        assert!(a.starts_with("dem_"));
        assert_ne!(a, b);
        assert!(a < b, "{a} should sort before {b}");
    }
}
