#!/usr/bin/env python3
"""Writes a deterministic source tree of about SIZE_MB megabytes for the secrets benchmark:
PHP, JavaScript, YAML and Markdown files shaped like a large web project, with a few fake
credentials (1 in ~150 files) so that both scanners have something to find.
usage: gen_tree.py OUTDIR SIZE_MB"""
import os, random, string, sys

out, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
AN = string.ascii_letters + string.digits
words = ("user order product cart price total item customer address payment shipping invoice "
         "request response session cache query result value config option setting handler "
         "service repository controller model view template render filter action hook").split()

def ident():
    return rnd.choice(words) + rnd.choice(words).capitalize()

def php_file(n_funcs):
    lines = ["<?php", "namespace App\\" + ident().capitalize() + ";", ""]
    for _ in range(n_funcs):
        f = ident()
        lines += [f"/**", f" * {' '.join(rnd.choice(words) for _ in range(8))}.", " */",
                  f"function {f}( ${rnd.choice(words)}, array $args = [] ) {{",
                  f"\t${rnd.choice(words)} = get_option( '{rnd.choice(words)}_{rnd.choice(words)}', [] );",
                  f"\tif ( empty( ${rnd.choice(words)} ) ) {{ return new WP_Error( '{rnd.choice(words)}', __( 'Invalid {rnd.choice(words)}', 'app' ) ); }}",
                  f"\t$key = md5( '{rnd.choice(words)}' . ${rnd.choice(words)} );",
                  f"\treturn apply_filters( '{rnd.choice(words)}_{rnd.choice(words)}', ${rnd.choice(words)}, $args );", "}", ""]
    return "\n".join(lines) + "\n"

def js_file(n):
    lines = ["import { " + ident() + " } from './" + rnd.choice(words) + "';", ""]
    for _ in range(n):
        lines += [f"export function {ident()}({rnd.choice(words)}) {{",
                  f"  const {rnd.choice(words)} = await fetch(`/api/{rnd.choice(words)}/${{{rnd.choice(words)}}}`);",
                  f"  return {rnd.choice(words)}.map((x) => x.{rnd.choice(words)} * {rnd.randint(1, 100)});", "}", ""]
    return "\n".join(lines) + "\n"

def minified():
    return ";".join(f"var {rnd.choice(string.ascii_lowercase)}{i}=function(a){{return a.{rnd.choice(words)}+{i}}}" for i in range(4000)) + "\n"

def yaml_file():
    return "\n".join(f"{rnd.choice(words)}_{i}:\n  enabled: true\n  {rnd.choice(words)}: {rnd.randint(1, 999)}" for i in range(60)) + "\n"

def secret_line(i):
    kind = i % 6
    if kind == 0: return f"define( 'DB_PASSWORD', '{''.join(rnd.choice(AN) for _ in range(16))}!' );"
    if kind == 1: return f"$stripe = new StripeClient( 'sk_live_{''.join(rnd.choice(AN) for _ in range(24))}' );"
    if kind == 2: return f"$token = 'ghp_{''.join(rnd.choice(AN) for _ in range(36))}';"
    if kind == 3: return f"$dsn = 'mysql://shop:{''.join(rnd.choice(AN) for _ in range(14))}@db.internal/shop';"
    if kind == 4: return f"$aws = [ 'key' => 'AKIA{''.join(rnd.choice(string.ascii_uppercase + '234567') for _ in range(16))}' ];"
    return f"$api_secret = \"{''.join(rnd.choice(AN) for _ in range(32))}\";"

total, i, planted = 0, 0, 0
limit = size_mb * 1024 * 1024
while total < limit:
    d = os.path.join(out, f"wp-content/plugins/plugin{i // 200}/{rnd.choice(['includes', 'src', 'admin', 'assets'])}")
    os.makedirs(d, exist_ok=True)
    r = i % 40
    if r < 28:
        name, body = f"class-{rnd.choice(words)}-{i}.php", php_file(rnd.randint(10, 60))
    elif r < 36:
        name, body = f"{rnd.choice(words)}-{i}.js", js_file(rnd.randint(10, 60))
    elif r < 38:
        name, body = f"config-{i}.yaml", yaml_file()
    elif r == 38:
        name, body = f"bundle-{i}.min.js", minified()
    else:
        name, body = f"README-{i}.md", "# " + " ".join(rnd.choice(words) for _ in range(2000)) + "\n"
    if i % 150 == 7 and name.endswith(".php"):
        body = body.replace("<?php\n", "<?php\n" + secret_line(planted) + "\n", 1)
        planted += 1
    with open(os.path.join(d, name), "w") as f:
        f.write(body)
    total += len(body)
    i += 1
print(f"{i} files, {total / 1048576:.1f} MiB, {planted} planted credentials in {out}")
