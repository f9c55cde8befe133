//! Shared links and search engines (issue 15), on SQLite and PostgreSQL: the sitemap lists every
//! game page, robots.txt keeps crawlers out of the dashboard, each storefront page has one title,
//! one canonical URL and its Open Graph tags, a game page's JSON-LD states its price range (and a
//! game or product named `</script>` cannot end it), and the preview image is a 1200×630 PNG.

use std::collections::{BTreeMap, BTreeSet};

use madd_domain::text::slug;
use madd_domain::ServiceKind;
use maddstore::service::{catalogue_snapshot, curation};
use serde_json::Value;

use crate::common::TestStore;

async fn fetch(s: &TestStore, path: &str) -> (u16, String, Vec<u8>) {
    let r = s.http.get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, r.bytes().await.unwrap().to_vec())
}

async fn page(s: &TestStore, path: &str) -> String {
    let (status, _, body) = fetch(s, path).await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, 200, "{path}: {html}");
    html
}

/// The store's absolute URL of `path`, as its pages write it.
fn link(s: &TestStore, path: &str) -> String {
    s.app().config.link(path)
}

/// The path of one of the store's absolute URLs.
fn path_of(s: &TestStore, url: &str) -> String {
    url.strip_prefix(&link(s, ""))
        .unwrap_or_else(|| panic!("{url} is not the store's"))
        .to_string()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `content` of every `<meta property|name="{key}">`.
fn metas(html: &str, key: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["property", "name"] {
        let needle = format!("<meta {attr}=\"{key}\" content=\"");
        let mut rest = html;
        while let Some(i) = rest.find(&needle) {
            rest = &rest[i + needle.len()..];
            let end = rest.find('"').unwrap();
            found.push(unescape(&rest[..end]));
        }
    }
    found
}

fn meta(html: &str, key: &str) -> String {
    let all = metas(html, key);
    assert_eq!(all.len(), 1, "one {key}: {all:?}");
    all.into_iter().next().unwrap()
}

fn canonicals(html: &str) -> Vec<String> {
    html.split("<link rel=\"canonical\" href=\"")
        .skip(1)
        .map(|r| unescape(&r[..r.find('"').unwrap()]))
        .collect()
}

/// One title, one canonical URL (`url`), and the Open Graph and Twitter tags.
fn check_head(html: &str, url: &str, og_type: &str) {
    assert_eq!(html.matches("<title>").count(), 1, "one <title>");
    assert_eq!(canonicals(html), vec![url.to_string()]);
    assert_eq!(meta(html, "og:url"), url);
    assert_eq!(meta(html, "og:type"), og_type);
    assert_eq!(meta(html, "og:locale"), "id_ID");
    assert_eq!(meta(html, "og:image:width"), "1200");
    assert_eq!(meta(html, "og:image:height"), "630");
    assert!(!meta(html, "og:title").is_empty());
    assert!(!meta(html, "og:description").is_empty());
    assert!(meta(html, "og:image").starts_with("http"));
    assert_eq!(meta(html, "twitter:card"), "summary_large_image");
    assert_eq!(meta(html, "twitter:image"), meta(html, "og:image"));
    assert_eq!(meta(html, "twitter:title"), meta(html, "og:title"));
    assert_eq!(
        meta(html, "twitter:description"),
        meta(html, "og:description")
    );
}

/// The page's JSON-LD: the text of its `application/ld+json` script, up to the first `</script>`.
fn json_ld(html: &str) -> Value {
    let open = "<script type=\"application/ld+json\">";
    assert_eq!(html.matches(open).count(), 1, "one JSON-LD script");
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {}", &html[start..end]))
}

/// Every game page of the catalogue: slug → (name, sellable prices, listed prices).
async fn games(s: &TestStore) -> BTreeMap<String, (String, Vec<i64>, Vec<i64>)> {
    let catalogue = catalogue_snapshot::current(s.app()).await.unwrap();
    let mut games: BTreeMap<String, (String, Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for p in catalogue
        .listed()
        .filter(|p| p.kind != ServiceKind::Postpaid)
    {
        let g = games
            .entry(slug(p.game()))
            .or_insert_with(|| (p.game().to_string(), vec![], vec![]));
        g.2.push(p.price.amount());
        if p.sellable() {
            g.1.push(p.price.amount());
        }
    }
    games
}

fn decode_png(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png).expect("a PNG")
}

both_backends!(
    sitemap_and_robots_list_the_storefront,
    |s: TestStore| async move {
        let (status, content_type, body) = fetch(&s, "/sitemap.xml").await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/xml"),
            "{content_type}"
        );
        let xml = String::from_utf8(body).unwrap();
        let doc = roxmltree::Document::parse(&xml).expect("the sitemap is XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "urlset");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.sitemaps.org/schemas/sitemap/0.9")
        );
        let listed: BTreeSet<String> = root
            .descendants()
            .filter(|n| n.has_tag_name("loc"))
            .map(|n| n.text().unwrap().to_string())
            .collect();
        let games = games(&s).await;
        assert!(games.len() >= 3, "the sandbox has games: {games:?}");
        let mut wanted: BTreeSet<String> = ["/", "/pulsa", "/pln/tagihan", "/cek"]
            .into_iter()
            .map(|p| link(&s, p))
            .collect();
        for game in games.keys() {
            wanted.insert(link(&s, &format!("/produk/{game}")));
        }
        assert_eq!(listed, wanted);
        for url in &listed {
            assert!(url.starts_with("http://") || url.starts_with("https://"));
        }
        // Every page it names is there.
        for url in listed.iter().take(8) {
            page(&s, &path_of(&s, url)).await;
        }
        // Built once per catalogue version: the same bytes again.
        let (_, _, again) = fetch(&s, "/sitemap.xml").await;
        assert_eq!(again, xml.as_bytes());

        let (status, content_type, body) = fetch(&s, "/robots.txt").await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let robots = String::from_utf8(body).unwrap();
        let lines: Vec<&str> = robots.lines().map(str::trim).collect();
        for path in [
            "/admin",
            "/api/",
            "/sandbox",
            "/order/",
            "/akun",
            "/webhooks/",
        ] {
            assert!(
                lines.contains(&format!("Disallow: {path}").as_str()),
                "{robots}"
            );
        }
        assert!(lines.contains(&"User-agent: *"));
        assert!(
            lines.contains(&format!("Sitemap: {}", link(&s, "/sitemap.xml")).as_str()),
            "{robots}"
        );
        s
    }
);

both_backends!(
    storefront_pages_have_one_canonical_and_their_tags,
    |s: TestStore| async move {
        for path in ["/", "/pulsa", "/pln/tagihan", "/cek"] {
            let html = page(&s, path).await;
            check_head(&html, &link(&s, path), "website");
            assert_eq!(meta(&html, "og:image"), link(&s, "/og/home.png"));
            assert!(!html.contains("application/ld+json"), "{path}");
        }
        // A search is the home page: its canonical URL has no query.
        let html = page(&s, "/?q=mobile").await;
        assert_eq!(canonicals(&html), vec![link(&s, "/")]);
        // Pages about one visitor or one order are not described to crawlers.
        let html = page(&s, "/akun").await;
        assert!(canonicals(&html).is_empty());
        // An unknown game is a 404 naming no canonical URL.
        let (status, _, body) = fetch(&s, "/produk/no-such-game").await;
        assert_eq!(status, 404);
        assert!(canonicals(&String::from_utf8(body).unwrap()).is_empty());

        let (status, content_type, png) = fetch(&s, "/og/home.png").await;
        assert_eq!((status, content_type.as_str()), (200, "image/png"));
        let img = decode_png(&png);
        assert_eq!((img.width(), img.height()), (1200, 630));
        s
    }
);

both_backends!(
    game_pages_state_their_prices_and_preview,
    |s: TestStore| async move {
        for (game_slug, (name, sellable, listed)) in games(&s).await {
            let url = link(&s, &format!("/produk/{game_slug}"));
            let html = page(&s, &format!("/produk/{game_slug}")).await;
            check_head(&html, &url, "product");
            let ld = json_ld(&html);
            assert_eq!(ld["@context"], "https://schema.org");
            assert_eq!(ld["@type"], "Product");
            assert_eq!(ld["name"], name.as_str());
            assert_eq!(ld["brand"]["@type"], "Brand");
            assert_eq!(ld["brand"]["name"], name.as_str());
            assert_eq!(ld["image"], meta(&html, "og:image").as_str());
            assert!(!ld["description"].as_str().unwrap().is_empty());
            let offers = &ld["offers"];
            assert_eq!(offers["@type"], "AggregateOffer");
            assert_eq!(offers["priceCurrency"], "IDR");
            let (lo, hi) = (
                offers["lowPrice"].as_i64().unwrap(),
                offers["highPrice"].as_i64().unwrap(),
            );
            assert!(lo <= hi);
            assert_eq!(
                offers["offerCount"].as_u64().unwrap() as usize,
                sellable.len()
            );
            let title = html
                .split("<title>")
                .nth(1)
                .and_then(|t| t.split("</title>").next())
                .map(unescape)
                .unwrap();
            assert!(title.contains(&name), "{title}");
            if sellable.is_empty() {
                assert_eq!(offers["availability"], "https://schema.org/OutOfStock");
                assert_eq!(lo, *listed.iter().min().unwrap());
            } else {
                assert_eq!(offers["availability"], "https://schema.org/InStock");
                let (min, max) = (
                    *sellable.iter().min().unwrap(),
                    *sellable.iter().max().unwrap(),
                );
                assert_eq!((lo, hi), (min, max), "{game_slug}");
                // The title names the price range too.
                let rp = |v: i64| madd_domain::Rupiah::new(v).display_spaced();
                assert!(
                    title.contains(&rp(min)) && title.contains(&rp(max)),
                    "{title}"
                );
            }

            // The preview image: a 1200×630 PNG.
            let image = meta(&html, "og:image");
            assert_eq!(image, link(&s, &format!("/og/{game_slug}.png")));
            let r = s
                .http
                .get(s.url(&path_of(&s, &image)))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{image}");
            assert_eq!(r.headers()["content-type"], "image/png");
            assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
            let img = decode_png(&r.bytes().await.unwrap());
            assert_eq!((img.width(), img.height()), (1200, 630));
        }
        for unknown in [
            "/og/no-such-game.png",
            "/og/no-such-game.jpg",
            "/og/..%2Fadmin.png",
        ] {
            let (status, _, _) = fetch(&s, unknown).await;
            assert_eq!(status, 404, "{unknown}");
        }
        s
    }
);

both_backends!(
    a_name_with_a_script_end_tag_does_not_end_the_json_ld,
    |s: TestStore| async move {
        let catalogue = catalogue_snapshot::current(s.app()).await.unwrap();
        let product = catalogue
            .listed()
            .find(|p| p.category == madd_domain::Category::Game && p.sellable())
            .expect("a game")
            .clone();
        drop(catalogue);
        let hostile = "Evil</script><script>alert(1)</script><!--";
        curation::set_game(s.app(), &product.brand, hostile, "", "")
            .await
            .unwrap();
        curation::set_product(s.app(), &product.code, "</script><b>x", "")
            .await
            .unwrap();
        let game_slug = slug(hostile);
        let html = page(&s, &format!("/produk/{game_slug}")).await;
        // Inside the JSON-LD the name is inert text; nowhere else is it markup.
        let open = "<script type=\"application/ld+json\">";
        let start = html.find(open).unwrap();
        let end = start + html[start..].find("</script>").unwrap();
        let outside = format!("{}{}", &html[..start], &html[end..]);
        assert!(!outside.contains("<script>alert(1)"), "{html}");
        let ld = json_ld(&html);
        assert_eq!(ld["name"], hostile);
        assert_eq!(ld["brand"]["name"], hostile);
        assert!(meta(&html, "og:title").contains(hostile));
        check_head(&html, &link(&s, &format!("/produk/{game_slug}")), "product");
        // Its preview image is drawn with the new name.
        let (status, content_type, png) = fetch(&s, &format!("/og/{game_slug}.png")).await;
        assert_eq!((status, content_type.as_str()), (200, "image/png"));
        assert_eq!(decode_png(&png).width(), 1200);
        // The old page is gone from the sitemap, the new one is in it.
        let (_, _, xml) = fetch(&s, "/sitemap.xml").await;
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.contains(&format!("/produk/{game_slug}</loc>")), "{xml}");
        assert!(!xml.contains(&format!("/produk/{}</loc>", slug(&product.brand))));
        s
    }
);

both_backends!(
    uploaded_art_is_drawn_into_the_preview,
    |s: TestStore| async move {
        let catalogue = catalogue_snapshot::current(s.app()).await.unwrap();
        let game = catalogue
            .listed()
            .find(|p| p.category == madd_domain::Category::Game)
            .expect("a game")
            .game()
            .to_string();
        drop(catalogue);
        let game_slug = slug(&game);
        let (_, _, before) = fetch(&s, &format!("/og/{game_slug}.png")).await;
        // A green square: green shows up in the preview.
        let art = image::RgbaImage::from_pixel(64, 64, image::Rgba([0, 200, 0, 255]));
        let mut png = std::io::Cursor::new(Vec::new());
        art.write_to(&mut png, image::ImageFormat::Png).unwrap();
        curation::set_art(s.app(), &game_slug, png.get_ref())
            .await
            .unwrap();
        let (status, _, after) = fetch(&s, &format!("/og/{game_slug}.png")).await;
        assert_eq!(status, 200);
        assert_ne!(
            before, after,
            "a new catalogue version draws the picture again"
        );
        let img = decode_png(&after).to_rgb8();
        assert!(img.pixels().any(|p| p.0 == [0, 200, 0]));
        assert!(!decode_png(&before)
            .to_rgb8()
            .pixels()
            .any(|p| p.0 == [0, 200, 0]));
        s
    }
);
