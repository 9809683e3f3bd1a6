//! `cfn doctor`: what is wrong with this set-up, and how to fix it.
