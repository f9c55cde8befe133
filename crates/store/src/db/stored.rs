//! States and kinds kept as text in the database, read into enums once at this edge: the rest
//! of the store matches on variants, and a value no variant knows is a [`DbError::Corrupt`]
//! where it is read, not a silent fall-through wherever it is compared.

/// An enum stored as text: `as_str` is what is written, `parse` what a form or a row gives back,
/// `decode` a row's value (unknown text = corrupt data).
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }

            pub(crate) fn decode(text: &str) -> $crate::db::DbResult<$name> {
                $name::parse(text).ok_or_else(|| {
                    $crate::db::DbError::Corrupt(format!(
                        "{} '{}'",
                        stringify!($name),
                        text
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use stored_enum;

#[cfg(test)]
mod tests {
    use crate::db::cash_outs::CashOutState;
    use crate::db::pricing::RuleScope;
    use crate::db::topups::TopUpState;
    use crate::db::wallets::EntryKind;
    use crate::db::DbError;

    #[test]
    fn what_is_written_reads_back_and_unknown_text_is_corrupt() {
        for s in [CashOutState::Requested, CashOutState::Paid, CashOutState::Refused] {
            assert_eq!(CashOutState::decode(s.as_str()).unwrap(), s);
        }
        for s in [TopUpState::Open, TopUpState::Paid] {
            assert_eq!(TopUpState::parse(s.as_str()), Some(s));
        }
        for s in [RuleScope::Default, RuleScope::Category, RuleScope::Brand, RuleScope::Product] {
            assert_eq!(RuleScope::parse(&s.to_string()), Some(s));
        }
        assert_eq!(EntryKind::parse("late_payment"), Some(EntryKind::LatePayment));
        assert!(matches!(
            CashOutState::decode("Paid"),
            Err(DbError::Corrupt(m)) if m == "CashOutState 'Paid'"
        ));
        assert_eq!(RuleScope::parse(""), None);
    }
}
