//! Each operation's `send` ends in one call to a shared exchange in
//! aiven-api's `hooks` (`send_json`, `send_empty`, `send_stream`) instead of
//! its own copy of the hooks, the status match and the decoding.
//!
//! After building the request, every generated `send` awaits the `pre`,
//! `exec` and `post` hooks and then matches the status: the one success
//! status decodes (JSON, empty or a byte stream), 4xx and 5xx decode the
//! error body, anything else is unexpected. That tail, as an `async fn`'s
//! state machine, was type-, borrow- and layout-checked once per operation
//! (457 times, about a quarter of aiven-api's compile time after serde); the
//! shared one is checked once. The tail is replaced only when it is exactly
//! that sequence (checked token by token against the expected code, with
//! the operation's name and success status filled in); anything else stays
//! as progenitor wrote it.

use quote::{quote, ToTokens};

fn tokens(t: impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// An arm's body without the braces of a block holding only it.
fn unblocked(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(e, None) => unblocked(e),
            _ => expr,
        },
        _ => expr,
    }
}

/// The name of the shared exchange that does what `stmts` (a `send` body
/// from `let info = …` to the end) does, with the operation name and the
/// success status; `None` if `stmts` is not exactly the known tail.
fn shared(stmts: &[syn::Stmt]) -> Option<(&'static str, syn::LitStr, syn::LitInt)> {
    let [info, pre, exec, post, response, syn::Stmt::Expr(syn::Expr::Match(m), None)] = stmts
    else {
        return None;
    };
    let syn::Stmt::Local(info) = info else {
        return None;
    };
    let syn::Expr::Struct(info_struct) = &*info.init.as_ref()?.expr else {
        return None;
    };
    let [field] = info_struct.fields.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(op),
        ..
    }) = &field.expr
    else {
        return None;
    };
    let expected_head: [syn::Stmt; 5] = [
        syn::parse_quote!(let info = OperationInfo { operation_id: #op, };),
        syn::parse_quote!(client.pre(&mut request, &info).await?;),
        syn::parse_quote!(let result = client.exec(request, &info).await;),
        syn::parse_quote!(client.post(&result, &info).await?;),
        syn::parse_quote!(let response = result?;),
    ];
    let head = [&stmts[0], pre, exec, post, response];
    if head
        .iter()
        .zip(&expected_head)
        .any(|(got, want)| tokens(got) != tokens(want))
    {
        return None;
    }
    // An attribute (a `cfg`) on the match or an arm changes what it does.
    if !m.attrs.is_empty()
        || m.arms.iter().any(|a| !a.attrs.is_empty())
        || tokens(&m.expr) != tokens(quote!(response.status().as_u16()))
    {
        return None;
    }
    let [success, client_error, server_error, other] = &m.arms[..] else {
        return None;
    };
    let syn::Pat::Lit(syn::PatLit {
        lit: syn::Lit::Int(status),
        ..
    }) = &success.pat
    else {
        return None;
    };
    if success.guard.is_some() || status.suffix() != "u16" {
        return None;
    }
    let error_body = quote!(Err(Error::ErrorResponse(
        crate::hooks::error_response(response).await?
    )));
    let rest_expected = [
        quote!(400u16..=499u16 => #error_body),
        quote!(500u16..=599u16 => #error_body),
        quote!(_ => Err(Error::UnexpectedResponse(response))),
    ];
    for (arm, want) in [client_error, server_error, other]
        .iter()
        .zip(&rest_expected)
    {
        let want: syn::Arm = syn::parse2(quote!(#want,)).ok()?;
        if arm.guard.is_some()
            || tokens(&arm.pat) != tokens(&want.pat)
            || tokens(unblocked(&arm.body)) != tokens(unblocked(&want.body))
        {
            return None;
        }
    }
    let body = tokens(unblocked(&success.body));
    // The success arm's body → the shared exchange that does the same.
    let helper = if body == tokens(quote!(crate::lenient::from_response(response, #op).await)) {
        "send_json"
    } else if body == tokens(quote!(Ok(ResponseValue::empty(response)))) {
        "send_empty"
    } else if body == tokens(quote!(Ok(ResponseValue::stream(response)))) {
        "send_stream"
    } else {
        return None;
    };
    Some((helper, op.clone(), status.clone()))
}

/// Replaces the tail of every `send` of the `builder` module that is
/// exactly the known sequence (see the module documentation) with the
/// shared exchange. Returns how many were replaced and how many kept theirs.
pub fn shared_exchange(file: &mut syn::File) -> (usize, usize) {
    let Some(builder) = super::module_items_mut(file, "builder") else {
        return (0, 0);
    };
    let (mut replaced, mut kept) = (0, 0);
    for item in builder.iter_mut() {
        let syn::Item::Impl(imp) = item else {
            continue;
        };
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if f.sig.ident != "send" || f.sig.asyncness.is_none() {
                continue;
            }
            let stmts = &mut f.block.stmts;
            let start = stmts.iter().position(|s| {
                matches!(s, syn::Stmt::Local(l)
                    if tokens(&l.pat) == tokens(quote!(info)))
            });
            match start.and_then(|i| shared(&stmts[i..]).map(|s| (i, s))) {
                Some((i, (helper, op, status))) => {
                    let helper = quote::format_ident!("{helper}");
                    stmts.truncate(i);
                    stmts.push(syn::Stmt::Expr(
                        syn::parse_quote!(crate::hooks::#helper(client, request, #op, #status).await),
                        None,
                    ));
                    replaced += 1;
                }
                None => kept += 1,
            }
        }
    }
    (replaced, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `send` as the earlier passes leave it, with `success` as the first
    /// arm.
    fn send(success: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                impl<'a> ThingGet<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::AivenError>> {
                        let Self { client, project } = self;
                        let project = project.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/project/{}", client.baseurl, crate::hooks::encode_path(&project.to_string()));
                        #[allow(unused_mut)]
                        let mut request = client.client.get(url).build()?;
                        let info = OperationInfo {
                            operation_id: "thing_get",
                        };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            #success
                            400u16..=499u16 => {
                                Err(Error::ErrorResponse(crate::hooks::error_response(response).await?))
                            }
                            500u16..=599u16 => {
                                Err(Error::ErrorResponse(crate::hooks::error_response(response).await?))
                            }
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                    pub fn project(self) -> Self { self }
                }
            }
        }
    }

    fn flat(file: &syn::File) -> String {
        prettyplease::unparse(file).split_whitespace().collect()
    }

    #[test]
    fn the_known_tails_become_one_call() {
        for (arm, call) in [
            (
                quote!(200u16 => { crate::lenient::from_response(response, "thing_get").await }),
                r#"crate::hooks::send_json(client,request,"thing_get",200u16).await}"#,
            ),
            (
                quote!(204u16 => Ok(ResponseValue::empty(response)),),
                r#"crate::hooks::send_empty(client,request,"thing_get",204u16).await}"#,
            ),
            (
                quote!(201u16 => Ok(ResponseValue::stream(response)),),
                r#"crate::hooks::send_stream(client,request,"thing_get",201u16).await}"#,
            ),
        ] {
            let mut file = send(arm);
            assert_eq!(shared_exchange(&mut file), (1, 0));
            let code = flat(&file);
            assert!(code.contains(&format!("build()?;{call}")), "{code}");
            assert!(!code.contains("OperationInfo"), "{code}");
            assert!(!code.contains("client.pre"), "{code}");
        }
    }

    #[test]
    fn any_other_tail_stays() {
        for arm in [
            // Another decoding, another operation's name, a guard.
            quote!(200u16 => ResponseValue::from_response(response).await,),
            quote!(200u16 => crate::lenient::from_response(response, "other_get").await,),
            quote!(200u16 if true => crate::lenient::from_response(response, "thing_get").await,),
            // An attribute on an arm.
            quote!(#[cfg(any())] 200u16 => crate::lenient::from_response(response, "thing_get").await,),
            // Two success statuses.
            quote!(
                200u16 => Ok(ResponseValue::empty(response)),
                201u16 => Ok(ResponseValue::empty(response)),
            ),
        ] {
            let mut file = send(arm);
            let before = flat(&file);
            assert_eq!(shared_exchange(&mut file), (0, 1));
            assert_eq!(flat(&file), before);
        }
    }
}
