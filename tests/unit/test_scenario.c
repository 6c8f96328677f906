#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "leakcheck.h"
#include "scenario/jsonpath.h"
#include "scenario/scenario.h"

/* The smallest valid scenario's users section, appended to cases that test other sections. */
#define USERS "users:\n  - name: A\n    tasks:\n      - steps:\n          - get: /\n"
/* A user whose one task runs the given steps (indented 10 spaces). */
#define STEPS(s) "pools: [slugs]\nusers:\n  - name: A\n    tasks:\n      - steps:\n" s

static const struct {
    const char *yaml, *msg;
} errors[] = {
    /* YAML itself */
    {"users: [a, b\n", "s.yaml:2:1: invalid YAML: did not find expected ',' or ']', while parsing "
                       "a flow sequence started at 1:8 (expected valid YAML)"},
    {"users: \xff\n", "s.yaml:1:8: invalid YAML: invalid leading UTF-8 octet (expected UTF-8 "
                      "text)"},
    {"host: x\n  users: y\n", "s.yaml:2:8: invalid YAML: mapping values are not allowed in this "
                              "context (expected valid YAML)"},
    {"users: *nope\n", "s.yaml:1:8: invalid YAML: found undefined alias (expected valid YAML)"},
    {"", "s.yaml:1:1: empty scenario (expected a mapping with users: ...)"},
    {"# nothing\n", "s.yaml:1:1: empty scenario (expected a mapping with users: ...)"},
    {USERS "---\nhost: http://x\n",
     "s.yaml:7:1: a second YAML document (expected one document per file)"},
    {"- users\n", "s.yaml:1:1: the top level is a list (expected a mapping with host, users, ...)"},

    /* top level */
    {"usres: []\n", "s.yaml:1:1: unknown key 'usres' at the top level (did you mean 'users'?)"},
    {USERS "zzz: 1\n", "s.yaml:6:1: unknown key 'zzz' at the top level (expected one of host, "
                       "defaults, variables, pools, counters, setup, teardown, users or stages)"},
    {USERS "users: []\n", "s.yaml:6:1: duplicate key 'users' at the top level (expected each key "
                          "once)"},
    {"[a]: 1\n" USERS, "s.yaml:1:1: a key at the top level is a list (expected a name)"},
    {"host: http://x\n", "s.yaml:1:1: no users (expected users: with at least one user class)"},
    {"users:\n", "s.yaml:1:7: no users (expected users: with at least one user class)"},
    {"users: []\n", "s.yaml:1:8: no users (expected at least one user class)"},
    {"users: {name: A}\n", "s.yaml:1:8: users is a mapping (expected a list of user classes)"},
    {"host: ftp://x\n" USERS, "s.yaml:1:7: host is not an http:// or https:// URL (expected e.g. "
                              "http://127.0.0.1:8000)"},
    {"host: http://\n" USERS, "s.yaml:1:7: host is not an http:// or https:// URL (expected e.g. "
                              "http://127.0.0.1:8000)"},
    {"host: [http://x]\n" USERS, "s.yaml:1:7: host is a list (expected a string)"},

    /* defaults */
    {"defaults: {timeout: 5x}\n" USERS, "s.yaml:1:21: timeout is '5x' (expected a duration such "
                                        "as 30, 1.5s, 250ms, 2m or 1h30m)"},
    {"defaults: {timeout: 0s}\n" USERS,
     "s.yaml:1:21: timeout is '0s' (expected a duration greater than zero)"},
    {"defaults: {follow_redirects: yes}\n" USERS,
     "s.yaml:1:30: follow_redirects is 'yes' (expected true or false)"},
    {"defaults: {tls_verify: [true]}\n" USERS,
     "s.yaml:1:24: tls_verify is a list (expected true or false)"},
    {"defaults: {header: {}}\n" USERS,
     "s.yaml:1:12: unknown key 'header' in defaults (did you mean 'headers'?)"},
    {"defaults: {headers: {\"User Agent\": x}}\n" USERS,
     "s.yaml:1:22: invalid header name (expected letters, digits and !#$%&'*+-.^_`|~)"},
    {"defaults: {headers: {A: x, a: y}}\n" USERS,
     "s.yaml:1:28: duplicate header 'a' (expected each header once; names ignore case)"},
    {"defaults: [x]\n" USERS, "s.yaml:1:11: defaults is a list (expected a mapping of headers, "
                              "timeout, follow_redirects and tls_verify)"},

    /* pools, counters, variables */
    {"pools: slugs\n" USERS, "s.yaml:1:8: pools is a string (expected a list of names, e.g. "
                             "[slugs])"},
    {"pools: [a, 'b c']\n" USERS, "s.yaml:1:12: invalid name in pools (expected letters, digits "
                                  "and _, not starting with a digit)"},
    {"pools: [a, b, a]\n" USERS,
     "s.yaml:1:15: duplicate name 'a' in pools (expected each name once)"},
    {"counters: [n, n]\n" USERS,
     "s.yaml:1:15: duplicate name 'n' in counters (expected each name once)"},
    {"variables: [a]\n" USERS,
     "s.yaml:1:12: variables is a list (expected a mapping of name: template)"},
    {"variables: {uuid: x}\n" USERS,
     "s.yaml:1:13: 'uuid' is a reserved name (expected a variable name other than user, counter, "
     "random, lorem, env, time, uuid or pool)"},
    {"variables: {2x: y}\n" USERS, "s.yaml:1:13: invalid variable name '2x' (expected letters, "
                                   "digits and _, not starting with a digit)"},
    {"variables: {a: x, a: y}\n" USERS,
     "s.yaml:1:19: duplicate key 'a' in variables (expected each key once)"},
    {"variables:\n  a: \"{{ b }}\"\n  b: x\n" USERS,
     "s.yaml:2:10: variable 'b' is not available in variables (expected a variable declared above "
     "it in variables)"},
    {"variables:\n  a: \"{{ a }}\"\n" USERS,
     "s.yaml:2:10: variable 'a' is not available in variables (expected a variable declared above "
     "it in variables)"},
    {"variables: {p: x}\n" STEPS("          - set: {p: y}\n"),
     "s.yaml:7:19: variable 'p' is read-only (expected a name not declared in variables)"},
    {STEPS("          - set: {p: y}\n") "variables: {p: x}\n",
     "s.yaml:6:19: variable 'p' is read-only (expected a name not declared in variables)"},

    /* user classes */
    {"users: [x]\n",
     "s.yaml:1:9: a user class is a string (expected a mapping with name and tasks)"},
    {"users:\n  - tasks: [[get: /]]\n", "s.yaml:2:5: user class has no name (expected name: NAME)"},
    {"users:\n  - name: ''\n    tasks: [[get: /]]\n",
     "s.yaml:2:11: user class name is empty (expected a name)"},
    {"users:\n  - {name: A, tasks: [[get: /]]}\n  - {name: A, tasks: [[get: /]]}\n",
     "s.yaml:3:12: duplicate user class name 'A' (expected unique names)"},
    {"users:\n  - name: A\n    weight: 2\n    fixed_count: 1\n    tasks: [[get: /]]\n",
     "s.yaml:4:5: both weight and fixed_count in user class (expected one of them)"},
    {"users:\n  - name: A\n    fixed_count: 1\n    weight: 2\n    tasks: [[get: /]]\n",
     "s.yaml:4:5: both weight and fixed_count in user class (expected one of them)"},
    {"users:\n  - name: A\n    wieght: 2\n    tasks: [[get: /]]\n",
     "s.yaml:3:5: unknown key 'wieght' in user class (did you mean 'weight'?)"},
    {"users:\n  - name: A\n    weight: 0\n    tasks: [[get: /]]\n",
     "s.yaml:3:13: weight is '0' (expected a number greater than zero)"},
    {"users:\n  - name: A\n    weight: heavy\n    tasks: [[get: /]]\n",
     "s.yaml:3:13: weight is 'heavy' (expected a number)"},
    {"users:\n  - name: A\n    fixed_count: -1\n    tasks: [[get: /]]\n",
     "s.yaml:3:18: fixed_count is '-1' (expected an integer >= 0)"},
    {"users:\n  - name: A\n    fixed_count: 2.5\n    tasks: [[get: /]]\n",
     "s.yaml:3:18: fixed_count is '2.5' (expected an integer)"},
    {"users:\n  - name: A\n    wait: betwen 1 3\n    tasks: [[get: /]]\n",
     "s.yaml:3:11: unknown wait 'betwen' (did you mean 'between'?)"},
    {"users:\n  - name: A\n    wait: between 1\n    tasks: [[get: /]]\n",
     "s.yaml:3:11: bad wait (expected between A B, constant S, pacing S or throughput N, with S "
     "and A, B durations)"},
    {"users:\n  - name: A\n    wait: between 3 1\n    tasks: [[get: /]]\n",
     "s.yaml:3:11: wait 'between 3 1' has A greater than B (expected A <= B)"},
    {"users:\n  - name: A\n    wait: throughput 0\n    tasks: [[get: /]]\n",
     "s.yaml:3:11: bad wait (expected between A B, constant S, pacing S or throughput N, with S "
     "and A, B durations)"},
    {"users:\n  - name: A\n    wait: constant soon\n    tasks: [[get: /]]\n",
     "s.yaml:3:11: bad wait (expected between A B, constant S, pacing S or throughput N, with S "
     "and A, B durations)"},
    {"users:\n  - name: A\n    wait: [1, 2]\n    tasks: [[get: /]]\n",
     "s.yaml:3:11: wait is a list (expected between A B, constant S, pacing S or throughput N)"},
    {"users:\n  - name: A\n",
     "s.yaml:2:5: user class 'A' has no tasks (expected tasks: with at least one task)"},
    {"users:\n  - name: \"a\\tb\"\n",
     "s.yaml:2:5: user class 'a?b' has no tasks (expected tasks: with at least one task)"},
    {"users:\n  - name: A\n    tasks: []\n",
     "s.yaml:3:12: user class has no tasks (expected at least one task)"},
    {"users:\n  - name: A\n    tasks: {steps: []}\n",
     "s.yaml:3:12: tasks is a mapping (expected a list of tasks)"},
    {"users:\n  - name: A\n    on_start: {get: /}\n    tasks: [[get: /]]\n",
     "s.yaml:3:15: on_start is a mapping (expected a list of steps)"},

    /* tasks */
    {"users:\n  - name: A\n    tasks: [x]\n",
     "s.yaml:3:13: a task is a string (expected {name, weight, steps} or a list of steps)"},
    {"users:\n  - name: A\n    tasks:\n      - get: /\n",
     "s.yaml:4:9: 'get' is a step, not a task key (expected name, weight and steps: [...])"},
    {"users:\n  - name: A\n    tasks:\n      - name: t\n",
     "s.yaml:4:9: task has no steps (expected steps: with at least one step)"},
    {"users:\n  - name: A\n    tasks:\n      - steps: []\n",
     "s.yaml:4:16: task has no steps (expected at least one step)"},
    {"users:\n  - name: A\n    tasks: [[]]\n",
     "s.yaml:3:13: task has no steps (expected at least one step)"},
    {"users:\n  - name: A\n    tasks:\n      - {weight: -1, steps: [get: /]}\n",
     "s.yaml:4:18: weight is '-1' (expected a number greater than zero)"},
    {"users:\n  - name: A\n    tasks:\n      - {stpes: [get: /]}\n",
     "s.yaml:4:10: unknown key 'stpes' in task (did you mean 'steps'?)"},

    /* steps */
    {STEPS("          - /posts/\n"),
     "s.yaml:6:13: a step is a string (expected a mapping such as {get: /path})"},
    {STEPS("          - name: x\n"),
     "s.yaml:6:13: step has no action (expected one of get, post, put, patch, delete, head, "
     "options, request, set, pick, push, sleep or loop)"},
    {STEPS("          - geet: /x\n"),
     "s.yaml:6:13: unknown key 'geet' in step (did you mean 'get'?)"},
    {STEPS("          - get: /x\n            post: /y\n"),
     "s.yaml:7:13: step has both get and post (expected one action per step)"},
    {STEPS("          - set: {a: x}\n            sleep: 1\n"),
     "s.yaml:7:13: step has both set and sleep (expected one action per step)"},
    {STEPS("          - set: {a: x}\n            push: {pool: slugs, value: x}\n"),
     "s.yaml:7:13: step has both set and push (expected one action per step)"},
    {STEPS("          - set: {a: x}\n            form: {a: b}\n"),
     "s.yaml:7:13: form does not apply to a set step (expected it only on requests)"},
    {STEPS("          - get: /\n            steps: []\n"),
     "s.yaml:7:13: steps does not apply to a request step (expected steps only with loop)"},
    {STEPS("          - get: /\n            nmae: x\n"),
     "s.yaml:7:13: unknown key 'nmae' in step (did you mean 'name'?)"},
    {STEPS("          - sleep: forever\n"), "s.yaml:6:20: sleep is 'forever' (expected a "
                                            "duration such as 30, 1.5s, 250ms, 2m or 1h30m)"},
    {STEPS("          - set: {}\n"),
     "s.yaml:6:18: set is empty (expected at least one name: template)"},
    {STEPS("          - set: [a]\n"),
     "s.yaml:6:18: set is a list (expected a mapping of name: template)"},
    {STEPS("          - set: {user: x}\n"),
     "s.yaml:6:19: 'user' is a reserved name (expected a variable name other than user, counter, "
     "random, lorem, env, time, uuid or pool)"},
    {STEPS("          - set: {a-b: x}\n"), "s.yaml:6:19: invalid variable name 'a-b' (expected "
                                           "letters, digits and _, not starting with a digit)"},

    /* requests */
    {STEPS("          - request: {method: 'GE T', url: /}\n"),
     "s.yaml:6:31: invalid method (expected an HTTP method such as GET or PURGE)"},
    {STEPS("          - request: {method: PURGE}\n"),
     "s.yaml:6:22: request has no url (expected {method: M, url: U})"},
    {STEPS("          - request: /x\n"),
     "s.yaml:6:22: request is a string (expected {method: M, url: U})"},
    {STEPS("          - get: posts/\n"), "s.yaml:6:18: url does not start with / or http(s):// "
                                         "(expected a path such as /posts/ or an absolute URL)"},
    {STEPS("          - get: [/a]\n"), "s.yaml:6:18: url is a list (expected a template string)"},
    {STEPS("          - post: /\n            form: {a: b}\n            json: {a: b}\n"),
     "s.yaml:8:13: more than one of form, json and body (expected only one)"},
    {STEPS("          - post: /\n            body: x\n            form: {a: b}\n"),
     "s.yaml:8:13: more than one of form, json and body (expected only one)"},
    {STEPS("          - get: /\n            expect: {status: [200, 600]}\n"),
     "s.yaml:7:36: status 600 is out of range (expected 100..599)"},
    {STEPS("          - get: /\n            expect: {status: 99}\n"),
     "s.yaml:7:30: status 99 is out of range (expected 100..599)"},
    {STEPS("          - get: /\n            expect: {status: []}\n"),
     "s.yaml:7:30: status is an empty list (expected at least one status code)"},
    {STEPS("          - get: /\n            expect: {status: ok}\n"),
     "s.yaml:7:30: status is 'ok' (expected an integer)"},
    {STEPS("          - get: /\n            expect: {code: 200}\n"),
     "s.yaml:7:22: unknown key 'code' in expect (expected one of status, contains or "
     "not_contains)"},
    {STEPS("          - get: /\n            expect: {contains: {a: b}}\n"),
     "s.yaml:7:32: contains is a mapping (expected a template or a list of templates)"},
    {STEPS("          - get: /\n            timeout: 0\n"),
     "s.yaml:7:22: timeout is '0' (expected a duration greater than zero)"},
    {STEPS("          - get: /\n            follow_redirects: 1\n"),
     "s.yaml:7:31: follow_redirects is '1' (expected true or false)"},
    {STEPS("          - get: /\n            headers: {Accept: a, accept: b}\n"),
     "s.yaml:7:34: duplicate header 'accept' (expected each header once; names ignore case)"},
    {STEPS("          - get: /\n            headers: {'X:Y': a}\n"),
     "s.yaml:7:23: invalid header name (expected letters, digits and !#$%&'*+-.^_`|~)"},
    {STEPS("          - get: /\n            query: [a]\n"),
     "s.yaml:7:20: query is a list (expected a mapping of name: template)"},
    {STEPS("          - get: /\n            name: [a]\n"),
     "s.yaml:7:19: name is a list (expected a string)"},
    {STEPS("          - post: /\n            json: {a: [1, {b: '{{ nope( }}'}]}\n"),
     "s.yaml:7:39: 'nope' is not a function (expected random.int(A, B), random.string(N) or "
     "random.choice(v))"},

    /* captures */
    {STEPS("          - get: /\n            capture: [{regex: x}]\n"),
     "s.yaml:7:23: capture has no var (expected var: NAME)"},
    {STEPS("          - get: /\n            capture: [{var: v}]\n"),
     "s.yaml:7:23: capture has no source (expected one of regex, cookie, header or json)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: x, json: $.a}]\n"),
     "s.yaml:7:42: capture has both regex and json (expected one source)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: 'a(b'}]\n"),
     "s.yaml:7:43: invalid regex: missing closing parenthesis at offset 3 (expected a PCRE2 "
     "pattern)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: \"\\\\d+(x\"}]\n"),
     "s.yaml:7:46: invalid regex: missing closing parenthesis at offset 5 (expected a PCRE2 "
     "pattern)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: 'a(b)', group: 2}]\n"),
     "s.yaml:7:54: group 2 but the pattern has 1 capture group (expected 0..1)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: 'ab', group: 1}]\n"),
     "s.yaml:7:52: group 1 but the pattern has 0 capture groups (expected 0..0)"},
    {STEPS("          - get: /\n            capture: [{var: v, cookie: sid, group: 1}]\n"),
     "s.yaml:7:45: group applies only to regex captures (expected it with regex)"},
    {STEPS("          - get: /\n            capture: [{var: v, header: X-Id, pick: all}]\n"),
     "s.yaml:7:46: pick applies only to regex and json captures (expected it with regex or "
     "json)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: a, pick: last}]\n"),
     "s.yaml:7:48: bad pick (expected first, random or all)"},
    {STEPS("          - get: /\n            capture: [{var: v, regex: a, optional: true, "
           "default: x}]\n"),
     "s.yaml:7:58: capture has both default and optional (expected one of them)"},
    {STEPS("          - get: /\n            capture: [{var: v, json: '$.a[x]'}]\n"),
     "s.yaml:7:43: unexpected 'x' after '[' (expected an index, * or a quoted key)"},
    {STEPS("          - get: /\n            capture: [{var: v, cookie: 'a b'}]\n"),
     "s.yaml:7:40: invalid cookie name (expected letters, digits and !#$%&'*+-.^_`|~)"},
    {STEPS("          - get: /\n            capture: [{var: random, cookie: a}]\n"),
     "s.yaml:7:29: 'random' is a reserved name (expected a variable name other than user, "
     "counter, random, lorem, env, time, uuid or pool)"},
    {STEPS("          - get: /\n            capture: {var: v, cookie: a, optional: maybe}\n"),
     "s.yaml:7:52: optional is 'maybe' (expected true or false)"},
    {STEPS("          - get: /\n            capture: x\n"),
     "s.yaml:7:22: capture is a string (expected a list of captures)"},

    /* pools: push and pick */
    {STEPS("          - get: /\n            push: {pool: slgus, value: x}\n"),
     "s.yaml:7:26: undeclared pool 'slgus' (did you mean 'slugs'?)"},
    {STEPS("          - push: {pool: other, value: x}\n"),
     "s.yaml:6:26: undeclared pool 'other' (expected slugs)"},
    {"users:\n  - name: A\n    tasks:\n      - steps:\n          - pick: {pool: p, as: v}\n",
     "s.yaml:5:26: undeclared pool 'p' (expected it declared in pools: [p])"},
    {STEPS("          - push: {pool: slugs}\n"),
     "s.yaml:6:19: push has no value (expected {pool: P, value: template})"},
    {STEPS("          - push: [{pool: slugs, value: x}]\n"),
     "s.yaml:6:19: push is a list (expected {pool: P, value: template})"},
    {STEPS("          - pick: {pool: slugs}\n"),
     "s.yaml:6:19: pick has no as (expected {pool: P, as: v})"},
    {STEPS("          - pick: {pool: slugs, as: v, from: x}\n"),
     "s.yaml:6:40: unknown key 'from' in pick (expected one of pool or as)"},
    /* pools malformed: undeclared-pool errors would be noise */
    {"pools: 3\n" STEPS("          - push: {pool: other, value: x}\n"),
     "s.yaml:1:8: pools is a string (expected a list of names, e.g. [slugs])"},

    /* loops */
    {STEPS("          - loop: {as: i}\n            steps: [get: /]\n"),
     "s.yaml:6:19: loop has neither count nor over (expected count: N or over: LIST)"},
    {STEPS("          - loop: {count: 2, over: [a], as: i}\n            steps: [get: /]\n"),
     "s.yaml:6:30: loop has both count and over (expected one of them)"},
    {STEPS("          - loop: {count: 2}\n            steps: [get: /]\n"),
     "s.yaml:6:19: loop has no as (expected as: NAME for the index or element)"},
    {STEPS("          - loop: {count: 2, as: i}\n"),
     "s.yaml:6:19: loop has no steps (expected steps: [...] next to loop)"},
    {STEPS("          - loop: {count: 2, as: i}\n            steps: []\n"),
     "s.yaml:7:20: loop has no steps (expected at least one step)"},
    {STEPS("          - loop: {count: two, as: i}\n            steps: [get: /]\n"),
     "s.yaml:6:27: loop count is 'two' (expected an integer >= 0 or a template)"},
    {STEPS("          - loop: {count: 99999999999999999999, as: i}\n            steps: [get: /]\n"),
     "s.yaml:6:27: loop count is '99999999999999999999' (expected an integer >= 0 or a "
     "template)"},
    {STEPS("          - loop: {count: -1, as: i}\n            steps: [get: /]\n"),
     "s.yaml:6:27: loop count is '-1' (expected an integer >= 0 or a template)"},
    {STEPS("          - loop: {over: pool.slgus, as: s}\n            steps: [get: /]\n"),
     "s.yaml:6:31: undeclared pool 'slgus' (did you mean 'slugs'?)"},
    {STEPS("          - loop: {over: 'a b', as: s}\n            steps: [get: /]\n"),
     "s.yaml:6:26: bad loop over (expected a list, a list variable's name or pool.NAME)"},
    {STEPS("          - loop: {over: links, as: s}\n            steps: [get: /]\n"),
     "s.yaml:6:26: variable 'links' is never set (expected it set by variables, set, a capture, "
     "pick or a loop's as)"},
    {STEPS("          - loop: {count: 1, as: i}\n            steps:\n              - loop: {count: "
           "1, as: j}\n                steps: [get: '/{{ k }}']\n"),
     "s.yaml:9:35: variable 'k' is never set (expected it set by variables, set, a capture, pick "
     "or a loop's as)"},

    /* templates, with columns inside plain, quoted and multi-line scalars */
    {STEPS("          - get: /{{ random.flot(1) }}\n"),
     "s.yaml:6:22: unknown function 'random.flot' (expected random.int, random.string or "
     "random.choice)"},
    {STEPS("          - get: '/it''s/{{ random.flot(1) }}'\n"),
     "s.yaml:6:29: unknown function 'random.flot' (expected random.int, random.string or "
     "random.choice)"},
    {STEPS("          - get: \"/\\t\\u00e9\\x41/{{ random.flot(1) }}\"\n"),
     "s.yaml:6:36: unknown function 'random.flot' (expected random.int, random.string or "
     "random.choice)"},
    {STEPS("          - get: \"/\xc3\xa9/{{ random.flot(1) }}\"\n"),
     "s.yaml:6:25: unknown function 'random.flot' (expected random.int, random.string or "
     "random.choice)"},
    {STEPS("          - post: /\n            body: |\n              line\n              {{ "
           "random.flot(1) }}\n"),
     "s.yaml:7:19: unknown function 'random.flot' (expected random.int, random.string or "
     "random.choice)"},
    {STEPS("          - post: /\n            body: a\n              {{ random.flot(1) }}\n"),
     "s.yaml:7:19: unknown function 'random.flot' (expected random.int, random.string or "
     "random.choice)"},
    {STEPS("          - set: {slug: x}\n          - get: '/{{ slgu }}'\n"),
     "s.yaml:7:23: variable 'slgu' is never set (did you mean 'slug'?)"},
    {STEPS("          - get: '/{{ a }}/{{ b }}'\n          - set: {b: x}\n"),
     "s.yaml:6:23: variable 'a' is never set (expected it set by variables, set, a capture, pick "
     "or a loop's as)"},
    {"defaults: {headers: {X-Token: '{{ token }}'}}\n" USERS,
     "s.yaml:1:35: variable 'token' is never set (expected it set by variables, set, a capture, "
     "pick or a loop's as)"},
    {"variables: {pw: '{{ env.MP_TEST_NOT_SET_EVER }}'}\n" USERS,
     "s.yaml:1:21: environment variable 'MP_TEST_NOT_SET_EVER' is not set (expected it set when "
     "the scenario loads, or a default: {{ env.MP_TEST_NOT_SET_EVER | default(VALUE) }})"},

    /* fixed_count and weight known when the file loads */
    {"users:\n  - name: A\n    fixed_count: \"{{ user.index }}\"\n    tasks: [[get: /]]\n",
     "s.yaml:3:22: fixed_count cannot use 'user.index': it is not known when the file loads "
     "(expected literal text, env.NAME or a variable from variables that uses only those)"},
    {"variables: {n: '{{ random.int(1, 3) }}'}\nusers:\n  - name: A\n    fixed_count: \"{{ n "
     "}}\"\n    tasks: [[get: /]]\n",
     "s.yaml:4:22: fixed_count cannot use 'n': it is not known when the file loads (expected "
     "literal text, env.NAME or a variable from variables that uses only those)"},
    {"users:\n  - name: A\n    fixed_count: '{{ n }}'\n    tasks: [[set: {n: '2'}]]\n",
     "s.yaml:3:22: fixed_count cannot use 'n': it is not known when the file loads (expected "
     "literal text, env.NAME or a variable from variables that uses only those)"},
    {"users:\n  - name: A\n    fixed_count: \"{{ env.MP_TEST_NOT_SET_EVER | default('x') }}\"\n"
     "    tasks: [[get: /]]\n",
     "s.yaml:3:18: fixed_count '{{ env.MP_TEST_NOT_SET_EVER | default('x') }}' is 'x' (expected "
     "an integer >= 0)"},
    {"users:\n  - name: A\n    fixed_count: \"{{ env.MP_TEST_NOT_SET_EVER | default(-2) }}\"\n"
     "    tasks: [[get: /]]\n",
     "s.yaml:3:18: fixed_count '{{ env.MP_TEST_NOT_SET_EVER | default(-2) }}' is '-2' (expected "
     "an integer >= 0)"},
    {"users:\n  - name: A\n    fixed_count: \"{{ env.MP_TEST_NOT_SET_EVER }}\"\n    tasks: "
     "[[get: /]]\n",
     "s.yaml:3:22: environment variable 'MP_TEST_NOT_SET_EVER' is not set (expected it set when "
     "the scenario loads, or a default: {{ env.MP_TEST_NOT_SET_EVER | default(VALUE) }})"},
    {"users:\n  - name: A\n    fixed_count: \"{{ random.int(1 }}\"\n    tasks: [[get: /]]\n",
     "s.yaml:3:35: unexpected '}' (expected ',': random.int(A, B))"},
    {"users:\n  - name: A\n    weight: \"{{ env.MP_TEST_NOT_SET_EVER | default(0) }}\"\n    "
     "tasks: [[get: /]]\n",
     "s.yaml:3:13: weight '{{ env.MP_TEST_NOT_SET_EVER | default(0) }}' is '0' (expected a "
     "number greater than zero)"},
    {"users:\n  - name: A\n    weight: \"{{ time.unix }}\"\n    tasks: [[get: /]]\n",
     "s.yaml:3:17: weight cannot use 'time.unix': it is not known when the file loads (expected "
     "literal text, env.NAME or a variable from variables that uses only those)"},

    /* repeated form and query fields */
    {STEPS("          - post: /\n            form: {tags: [a, [b]]}\n"),
     "s.yaml:7:30: an item of a form list is a list (expected a template string)"},
    {STEPS("          - get: /\n            query: {ids: [{a: b}]}\n"),
     "s.yaml:7:27: an item of a query list is a mapping (expected a template string)"},
    {STEPS("          - post: /\n            form: {tags: ['{{ nope }}']}\n"),
     "s.yaml:7:31: variable 'nope' is never set (expected it set by variables, set, a capture, "
     "pick or a loop's as)"},
    {STEPS("          - get: /\n            headers: {X-Tags: [a, b]}\n"),
     "s.yaml:7:31: a header value is a list (expected a template string)"},

    /* loop over */
    {STEPS("          - loop: {over: '{{ ids }}', as: s}\n            steps: [get: /]\n"),
     "s.yaml:6:26: loop over is a template (expected a list variable's name without {{ }}, e.g. "
     "over: ids, a YAML list or pool.NAME)"},
    {STEPS("          - loop: {over: slugs, as: s}\n            steps: [get: /]\n"),
     "s.yaml:6:26: variable 'slugs' is never set ('slugs' is a pool: expected pool.slugs in a "
     "loop's over, or pick to read one element)"},

    /* setup, teardown and each user class have variables of their own */
    {"setup:\n  - get: /\n    capture: [{var: uid, regex: 'id=(\\d+)'}]\n" USERS
     "teardown:\n  - get: '/u/{{ uid }}'\n",
     "s.yaml:10:17: variable 'uid' is not set in teardown (setup sets it, but setup, teardown and "
     "each user have variables of their own; expected it set in teardown or in variables, or "
     "passed through a pool)"},
    {"setup:\n  - set: {group: '3'}\nusers:\n  - name: Editor\n    tasks: [[get: '/g/{{ group "
     "}}']]\n",
     "s.yaml:5:26: variable 'group' is not set in user class 'Editor' (setup sets it, but setup, "
     "teardown and each user have variables of their own; expected it set in user class 'Editor' "
     "or in variables, or passed through a pool)"},
    {"users:\n  - name: A\n    tasks: [[set: {x: '1'}]]\n  - name: B\n    on_start: [get: "
     "'/{{ x }}']\n    tasks: [[get: /]]\n",
     "s.yaml:5:26: variable 'x' is not set in user class 'B' (user class 'A' sets it, but setup, "
     "teardown and each user have variables of their own; expected it set in user class 'B' or "
     "in variables, or passed through a pool)"},
    {"users:\n  - name: A\n    tasks: [[get: /]]\nteardown:\n  - loop: {over: ids, as: i}\n    "
     "steps: [get: /]\n  - get: /\n    capture: [{var: x, regex: a, pick: all}]\nsetup:\n  - "
     "loop: {over: x, as: ids}\n    steps: [get: /]\n",
     "s.yaml:5:18: variable 'ids' is not set in teardown (setup sets it, but setup, teardown and "
     "each user have variables of their own; expected it set in teardown or in variables, or "
     "passed through a pool)"},

    /* stages */
    {USERS "stages:\n  - {duration: 10s, users: 5}\n",
     "s.yaml:7:5: stage has no spawn_rate (expected duration, users and spawn_rate)"},
    {USERS "stages:\n  - {duration: 10s, users: -5, spawn_rate: 1}\n",
     "s.yaml:7:28: users is '-5' (expected an integer >= 0)"},
    {USERS "stages:\n  - {duration: soon, users: 5, spawn_rate: 1}\n",
     "s.yaml:7:16: duration is 'soon' (expected a duration such as 30, 1.5s, 250ms, 2m or "
     "1h30m)"},
    {USERS "stages:\n  - {duration: 1s, users: 5, spawn_rate: 0}\n",
     "s.yaml:7:42: spawn_rate is '0' (expected a number greater than zero)"},
    {USERS "stages:\n  - {duration: 1s, users: 5, spawn_rate: 1, ramp: x}\n",
     "s.yaml:7:45: unknown key 'ramp' in stage (expected one of duration, users or spawn_rate)"},
    {USERS "stages: []\n",
     "s.yaml:6:9: stages is empty (expected at least one stage, or no stages key)"},

    /* the first error in the file wins, whatever order sections are checked in */
    {"users:\n  - name: A\n    wieght: 1\n    tasks: [[get: /]]\nhost: ftp://x\n",
     "s.yaml:3:5: unknown key 'wieght' in user class (did you mean 'weight'?)"},
    {"users:\n  - name: A\n    tasks: [[get: '/{{ w }}']]\nvariables: {v: '{{ nope( }}'}\n",
     "s.yaml:3:24: variable 'w' is never set (expected it set by variables, set, a capture, "
     "pick or a loop's as)"},
    {"host: ftp://x\nusers:\n  - name: A\n    wieght: 1\n    tasks: [[get: /]]\n",
     "s.yaml:1:7: host is not an http:// or https:// URL (expected e.g. http://127.0.0.1:8000)"},

    /* wrong shapes */
    {STEPS("          - get: /\n            expect: {status: {a: 1}}\n"),
     "s.yaml:7:30: status is a mapping (expected a status code or a list of them)"},
    {STEPS("          - get: /\n            expect: [200]\n"),
     "s.yaml:7:21: expect is a list (expected a mapping of status, contains, not_contains)"},
    {STEPS("          - get: /\n            capture: [x]\n"),
     "s.yaml:7:23: a capture is a string (expected e.g. {var: v, regex: 'id=(\\d+)'})"},
    {STEPS("          - push: {value: x}\n"),
     "s.yaml:6:19: push has no pool (expected {pool: P, value: template})"},
    {STEPS("          - request: {url: /}\n"),
     "s.yaml:6:22: request has no method (expected {method: M, url: U})"},
    {STEPS("          - pick: {as: v}\n"),
     "s.yaml:6:19: pick has no pool (expected {pool: P, as: v})"},
    {STEPS("          - loop: 3\n            steps: [get: /]\n"),
     "s.yaml:6:19: loop is a string (expected {count: N, as: i} or {over: LIST, as: x})"},
    {"users:\n  - name: \"a\\0b\"\n    tasks: [[get: /]]\n",
     "s.yaml:2:11: user class name contains a NUL character (expected text)"},
    {"users:\n  - {name: [x], tasks: []}\n",
     "s.yaml:2:12: user class name is a list (expected a string)"},
    {"users:\n  - {name: [x]}\n",
     "s.yaml:2:5: user class has no tasks (expected tasks: with at least one task)"},
    {"users:\n  - [name, A]\n",
     "s.yaml:2:5: a user class is a list (expected a mapping with name and tasks)"},
    {USERS "stages: {duration: 1s}\n",
     "s.yaml:6:9: stages is a mapping (expected a list of {duration, users, spawn_rate})"},
    {USERS "stages: [[1s, 5, 1]]\n",
     "s.yaml:6:10: a stage is a list (expected {duration, users, spawn_rate})"},
    {"defaults: x\n" USERS, "s.yaml:1:11: defaults is a string (expected a mapping of headers, "
                            "timeout, follow_redirects and tls_verify)"},
    {"counters: {a: 1}\n" USERS,
     "s.yaml:1:11: counters is a mapping (expected a list of names, e.g. [slugs])"},

    /* aliases cannot make the loader loop or explode */
    {STEPS("          - post: /\n            json: &a [*a]\n"),
     "s.yaml:7:19: nesting deeper than 64 levels (expected a flatter structure)"},
};

MP_TEST(scenario, every_error_has_its_exact_message)
{
    unsetenv("MP_TEST_NOT_SET_EVER");
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        mp_err err   = {{0}};
        scenario *sc = scenario_parse(errors[i].yaml, strlen(errors[i].yaml), "s.yaml", &err);
        cr_expect_null(sc, "case %zu loaded:\n%s", i, errors[i].yaml);
        if (!sc)
            cr_expect(strcmp(err.msg, errors[i].msg) == 0, "case %zu:\n%s\n got: %s\nwant: %s", i,
                      errors[i].yaml, err.msg, errors[i].msg);
        scenario_free(sc);
    }
}

/* ---- valid scenarios, field by field --------------------------------------------------------- */

static scenario *parse_ok(const char *yaml)
{
    mp_err err   = {{0}};
    scenario *sc = scenario_parse(yaml, strlen(yaml), "ok.yaml", &err);
    cr_assert_not_null(sc, "%s", err.msg);
    return sc;
}

static const char *var_name(const scenario *sc, int slot)
{
    cr_assert(slot >= 0 && (size_t)slot < sc->syms.nvars, "slot %d", slot);
    return sc->syms.vars[slot];
}

/* Renders t for a user with the given variables ("name=value" pairs, NULL-terminated). */
static char *render_with(const scenario *sc, const tpl *t, enum tpl_escape esc, const char **kv)
{
    mp_value *vals = calloc(sc->syms.nvars + 1, sizeof *vals);
    for (; kv && *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - *kv), *kv);
        int slot = mp_symtab_find_var(&sc->syms, name);
        cr_assert_geq(slot, 0, "%s", name);
        mp_value_set(&vals[slot], eq + 1, strlen(eq + 1));
    }
    mp_rng rng;
    mp_rng_seed(&rng, 1, 1);
    mp_counters counters;
    mp_counters_init(&counters, &sc->syms);
    tpl_env env = {.vars        = vals,
                   .rng         = &rng,
                   .counters    = &counters,
                   .user_index  = 12,
                   .class_index = 1,
                   .class_name  = "Editor"};
    sb out      = {0};
    mp_err err;
    cr_assert_eq(tpl_render(t, &env, esc, &out, &err), 0, "%s", err.msg);
    for (size_t i = 0; i <= sc->syms.nvars; i++)
        mp_value_clear(&vals[i]);
    free(vals);
    mp_counters_free(&counters);
    return sb_detach(&out);
}

static void expect_render(const scenario *sc, const tpl *t, const char **kv, const char *want)
{
    char *got = render_with(sc, t, TPL_RAW, kv);
    cr_expect_str_eq(got, want, "rendering %s", tpl_source(t));
    free(got);
}

static const sc_kv *header(const sc_request *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return &r->headers[i];
    return NULL;
}

/* The regex of a capture, run on a body: the group it is set to take. */
static char *regex_take(const sc_capture *c, const char *body)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(c->compiled, NULL);
    int rc               = pcre2_match(c->compiled, (PCRE2_SPTR)body, strlen(body), 0, 0, md, NULL);
    cr_assert_gt(rc, 0, "no match in %s", body);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    char *s        = strndup(body + ov[2 * c->group], ov[2 * c->group + 1] - ov[2 * c->group]);
    pcre2_match_data_free(md);
    return s;
}

/* The doc's complete example, from docs/scenarios.md itself, so the two cannot drift. */
static char *doc_example(void)
{
    FILE *f = fopen(MP_SOURCE_DIR "/docs/scenarios.md", "r");
    cr_assert_not_null(f);
    sb text = {0};
    char line[4096];
    int state = 0; /* 0 before the heading, 1 before the fence, 2 inside */
    while (fgets(line, sizeof line, f)) {
        if (state == 0 && strncmp(line, "## A complete example", 21) == 0)
            state = 1;
        else if (state == 1 && strncmp(line, "```yaml", 7) == 0)
            state = 2;
        else if (state == 2 && strncmp(line, "```", 3) == 0)
            break;
        else if (state == 2)
            sb_adds(&text, line);
    }
    fclose(f);
    cr_assert_eq(state, 2, "found the example block");
    return sb_detach(&text);
}

MP_TEST(scenario, the_documented_example_loads_as_described)
{
    setenv("BLOG_PASSWORD", "hunter2", 1);
    char *yaml   = doc_example();
    scenario *sc = parse_ok(yaml);
    cr_assert_str_eq(sc->file, "ok.yaml");
    cr_assert_str_eq(sc->host, "http://127.0.0.1:8000");
    cr_assert_float_eq(sc->default_timeout, 30, 1e-12);
    cr_assert_eq(sc->default_follow_redirects, 1);
    cr_assert_eq(sc->default_tls_verify, 1);
    cr_assert_eq(sc->nstages, 0);

    cr_assert_eq(sc->nvariables, 1);
    cr_assert_str_eq(var_name(sc, sc->variables[0].var), "password");
    expect_render(sc, sc->variables[0].value, NULL, "pw-hunter2");
    cr_assert_eq(sc->syms.npools, 1);
    cr_assert_str_eq(sc->syms.pools[0], "slugs");
    cr_assert_eq(sc->syms.ncounters, 1);
    cr_assert_str_eq(sc->syms.counters[0], "post");

    /* setup */
    cr_assert_eq(sc->setup.n, 3);
    const sc_step *s0 = &sc->setup.steps[0];
    cr_assert_eq(s0->kind, STEP_REQUEST);
    cr_assert_eq(s0->pos.line, 14);
    cr_assert_eq(s0->pos.col, 5);
    const sc_request *r = &s0->u.req;
    cr_assert_str_eq(r->method, "GET");
    cr_assert_str_eq(tpl_source(r->url), "/admin/login/");
    cr_assert_str_eq(r->name, "/admin/login/");
    cr_assert_eq(r->nheaders, 1);
    cr_assert_str_eq(r->headers[0].name, "User-Agent");
    expect_render(sc, r->headers[0].value, NULL, "mixperf");
    cr_assert_eq(r->body_kind, BODY_NONE);
    cr_assert_eq(r->follow_redirects, 1);
    cr_assert_float_eq(r->timeout, 30, 1e-12);
    cr_assert_eq(r->ncaptures, 1);
    const sc_capture *c = &r->captures[0];
    cr_assert_eq(c->src, CAP_REGEX);
    cr_assert_str_eq(var_name(sc, c->var), "csrf");
    cr_assert_str_eq(c->arg, "name=\"csrfmiddlewaretoken\" value=\"([^\"]+)\"");
    cr_assert_eq(c->group, 1);
    cr_assert_eq(c->pick, PICK_FIRST);
    cr_assert_eq(c->optional, 0);
    cr_assert_null(c->dflt);
    cr_assert_eq(c->pos.line, 16);
    char *tok = regex_take(c, "<input type=\"hidden\" name=\"csrfmiddlewaretoken\" "
                              "value=\"AbC123\">");
    cr_assert_str_eq(tok, "AbC123");
    free(tok);

    r = &sc->setup.steps[1].u.req;
    cr_assert_str_eq(r->method, "POST");
    cr_assert_eq(r->body_kind, BODY_FORM);
    cr_assert_eq(r->nform, 3);
    cr_assert_str_eq(r->form[0].name, "csrfmiddlewaretoken");
    cr_assert_str_eq(r->form[1].name, "username");
    cr_assert_str_eq(r->form[2].name, "password");
    expect_render(sc, r->form[0].value, (const char *[]){"csrf=T0K", NULL}, "T0K");
    expect_render(sc, r->form[1].value, NULL, "admin");
    expect_render(sc, r->form[2].value, (const char *[]){"password=pw-hunter2", NULL},
                  "pw-hunter2");
    cr_assert_eq(r->expect.nstatus, 1);
    cr_assert_eq(r->expect.status[0], 200);
    cr_assert_eq(r->expect.ncontains, 0);
    cr_assert_eq(r->expect.nnot_contains, 1);
    cr_assert_str_eq(tpl_source(r->expect.not_contains[0]), "Please enter the correct");

    const sc_step *lp = &sc->setup.steps[2];
    cr_assert_eq(lp->kind, STEP_LOOP);
    cr_assert_eq(lp->u.loop.kind, LOOP_COUNT);
    cr_assert_str_eq(tpl_source(lp->u.loop.count), "3");
    cr_assert_str_eq(var_name(sc, lp->u.loop.as), "i");
    cr_assert_eq(lp->u.loop.body.n, 1);
    r = &lp->u.loop.body.steps[0].u.req;
    cr_assert_str_eq(r->method, "POST");
    cr_assert_str_eq(r->name, "/accounts/");
    cr_assert_eq(r->body_kind, BODY_JSON);
    cr_assert_eq(r->json->kind, SCJ_OBJECT);
    cr_assert_eq(r->json->n, 2);
    cr_assert_str_eq(r->json->keys[0], "name");
    cr_assert_eq(r->json->items[0].kind, SCJ_STRING);
    expect_render(sc, r->json->items[0].string, (const char *[]){"i=2", NULL}, "editor2");
    cr_assert_str_eq(r->json->keys[1], "admin");
    cr_assert_eq(r->json->items[1].kind, SCJ_BOOL);
    cr_assert_eq(r->json->items[1].boolean, 0);
    cr_assert_eq(r->expect.status[0], 201);

    /* users */
    cr_assert_eq(sc->nusers, 2);
    const sc_user *ed = &sc->users[0];
    cr_assert_str_eq(ed->name, "Editor");
    cr_assert_eq(ed->fixed_count, 2);
    cr_assert_float_eq(ed->weight, 0, 1e-12);
    cr_assert_eq(ed->wait.kind, WAIT_BETWEEN);
    cr_assert_float_eq(ed->wait.a, 1, 1e-12);
    cr_assert_float_eq(ed->wait.b, 3, 1e-12);
    cr_assert_eq(ed->pos.line, 27);
    cr_assert_eq(ed->pos.col, 5);
    cr_assert_eq(ed->on_start.n, 1);
    cr_assert_eq(ed->on_stop.n, 0);
    r = &ed->on_start.steps[0].u.req;
    cr_assert_str_eq(tpl_source(r->url), "/login/");
    expect_render(sc, r->form[0].value, NULL, "editor1");
    cr_assert_eq(ed->ntasks, 1);
    cr_assert_str_eq(ed->tasks[0].name, "publish");
    cr_assert_float_eq(ed->tasks[0].weight, 1, 1e-12);
    cr_assert_float_eq(ed->total_weight, 1, 1e-12);
    const sc_flow *f = &ed->tasks[0].flow;
    cr_assert_eq(f->n, 2);
    cr_assert_eq(f->steps[0].kind, STEP_SET);
    cr_assert_eq(f->steps[0].u.set.n, 1);
    cr_assert_str_eq(var_name(sc, f->steps[0].u.set.items[0].var), "slug");
    char *slug = render_with(sc, f->steps[0].u.set.items[0].value, TPL_RAW, NULL);
    cr_assert_eq(strncmp(slug, "post-1-", 7), 0, "%s", slug);
    cr_assert_eq(strlen(slug), 13);
    free(slug);
    r = &f->steps[1].u.req;
    cr_assert_str_eq(r->name, "/posts/ [create]");
    cr_assert_eq(r->nform, 2);
    cr_assert_str_eq(tpl_source(r->form[1].value), "{{ lorem.paragraph }}");
    cr_assert_eq(r->npush, 1);
    cr_assert_eq(r->push[0].pool, 0);
    cr_assert_str_eq(tpl_source(r->push[0].value), "{{ slug }}");

    const sc_user *rd = &sc->users[1];
    cr_assert_str_eq(rd->name, "Reader");
    cr_assert_float_eq(rd->weight, 10, 1e-12);
    cr_assert_eq(rd->fixed_count, -1);
    cr_assert_eq(rd->wait.kind, WAIT_CONSTANT);
    cr_assert_float_eq(rd->wait.a, 0.5, 1e-12);
    cr_assert_eq(rd->ntasks, 1);
    cr_assert_null(rd->tasks[0].name);
    f = &rd->tasks[0].flow;
    cr_assert_eq(f->steps[0].kind, STEP_PICK);
    cr_assert_eq(f->steps[0].u.pick.pool, 0);
    cr_assert_str_eq(var_name(sc, f->steps[0].u.pick.var), "slug");
    r = &f->steps[1].u.req;
    cr_assert_str_eq(r->name, "/posts/[slug]/");
    char *url = render_with(sc, r->url, TPL_URL, (const char *[]){"slug=a b/c", NULL});
    cr_assert_str_eq(url, "/posts/a%20b%2Fc/");
    free(url);
    cr_assert_eq(r->expect.ncontains, 1);
    cr_assert_eq(r->expect.nstatus, 0);

    /* teardown */
    cr_assert_eq(sc->teardown.n, 1);
    lp = &sc->teardown.steps[0];
    cr_assert_eq(lp->u.loop.kind, LOOP_POOL);
    cr_assert_eq(lp->u.loop.pool, 0);
    cr_assert_str_eq(var_name(sc, lp->u.loop.as), "s");
    r = &lp->u.loop.body.steps[0].u.req;
    cr_assert_str_eq(r->method, "DELETE");
    cr_assert_str_eq(r->name, "/posts/{{ s }}/", "the default name is the URL template");

    scenario_free(sc);
    free(yaml);
}

static const char *full =
    "host: https://example.test/api/\n"
    "defaults:\n"
    "  headers: {Accept: application/json, X-Trace: \"t-{{ user.index }}\"}\n"
    "  timeout: 2.5s\n"
    "  follow_redirects: false\n"
    "  tls_verify: false\n"
    "counters: [orders]\n"
    "pools: [ids, names]\n"
    "variables:\n"
    "  base: \"v{{ random.int(1, 9) }}\"\n"
    "  combo: \"{{ base }}-x\"\n"
    "setup:\n"
    "  - request: {method: purge, url: \"http://other.test/cache\"}\n"
    "    timeout: 250ms\n"
    "users:\n"
    "  - name: Shopper\n"
    "    weight: 2.5\n"
    "    wait: pacing 2s\n"
    "    on_stop:\n"
    "      - sleep: 1m30s\n"
    "    tasks:\n"
    "      - name: browse\n"
    "        weight: 3\n"
    "        steps:\n"
    "          - get: \"/items/{{ base }}\"\n"
    "            query: {page: \"{{ random.int(1, 3) }}\", q: a b}\n"
    "            headers: {accept: text/html}\n"
    "            expect: {status: 200, contains: [\"<html\", \"{{ base }}\"], not_contains: oops}\n"
    "            capture:\n"
    "              - {var: links, regex: 'href=\"([^\"]+)\"', pick: all}\n"
    "              - {var: whole, regex: 'id=\\d+', pick: random}\n"
    "              - {var: sid, cookie: sessionid, optional: true}\n"
    "              - {var: loc, header: Location, default: /}\n"
    "              - {var: ids_all, json: '$.items[*].id', pick: all}\n"
    "              - {var: first_id, json: \"$.items[0].id\"}\n"
    "            push:\n"
    "              - {pool: ids, value: \"{{ first_id }}\"}\n"
    "              - {pool: names, value: \"{{ whole }}\"}\n"
    "          - loop: {over: links, as: link}\n"
    "            steps:\n"
    "              - get: \"{{ link }}\"\n"
    "      - - put: /cart\n"
    "          json: {n: 3.50, neg: -1, big: 1e3, hex: 0x1F, t: True, f: false, nil: ~, s: \"3\", "
    "list: [1, \"x{{ base }}\"], obj: {k: null}}\n"
    "        - patch: /cart\n"
    "          body: \"raw {{ counter.orders }}\"\n"
    "        - head: /ping\n"
    "        - options: /ping\n"
    "          follow_redirects: true\n"
    "          timeout: 1\n"
    "  - name: Bot\n"
    "    fixed_count: 3\n"
    "    wait: throughput 4\n"
    "    tasks:\n"
    "      - [{pick: {pool: ids, as: id}}, {delete: \"/items/{{ id }}\"}, {push: {pool: names, "
    "value: x}}]\n"
    "  - name: Idle\n"
    "    wait: between 500ms 2s\n"
    "    tasks: [[{loop: {count: \"{{ random.int(1,2) }}\", as: k}, steps: [{get: \"/k/{{ k "
    "}}\"}]}]]\n"
    "teardown:\n"
    "  - loop: {over: [\"a\", \"{{ base }}\"], as: item}\n"
    "    steps:\n"
    "      - post: /cleanup\n"
    "        form: {item: \"{{ item }}\"}\n"
    "stages:\n"
    "  - {duration: 30s, users: 100, spawn_rate: 10}\n"
    "  - {duration: 1m, users: 0, spawn_rate: 100}\n";

static int count_matches(json_t *v, void *arg)
{
    (void)v;
    ++*(int *)arg;
    return 0;
}

MP_TEST(scenario, every_feature_lands_in_its_field)
{
    scenario *sc = parse_ok(full);
    cr_assert_str_eq(sc->host, "https://example.test/api", "no trailing slash");
    cr_assert_float_eq(sc->default_timeout, 2.5, 1e-12);
    cr_assert_eq(sc->default_follow_redirects, 0);
    cr_assert_eq(sc->default_tls_verify, 0);
    cr_assert_eq(sc->syms.ncounters, 1);
    cr_assert_eq(sc->syms.npools, 2);
    cr_assert_eq(sc->nvariables, 2);
    cr_assert_str_eq(var_name(sc, sc->variables[1].var), "combo");
    expect_render(sc, sc->variables[1].value, (const char *[]){"base=v3", NULL}, "v3-x");

    const sc_request *r = &sc->setup.steps[0].u.req;
    cr_assert_str_eq(r->method, "PURGE");
    cr_assert_str_eq(tpl_source(r->url), "http://other.test/cache");
    cr_assert_float_eq(r->timeout, 0.25, 1e-12);
    cr_assert_eq(r->tls_verify, 0);
    cr_assert_eq(r->nheaders, 2);

    const sc_user *u = &sc->users[0];
    cr_assert_float_eq(u->weight, 2.5, 1e-12);
    cr_assert_eq(u->wait.kind, WAIT_PACING);
    cr_assert_float_eq(u->wait.a, 2, 1e-12);
    cr_assert_eq(u->on_stop.steps[0].kind, STEP_SLEEP);
    cr_assert_float_eq(u->on_stop.steps[0].u.sleep, 90, 1e-12);
    cr_assert_eq(u->ntasks, 2);
    cr_assert_float_eq(u->total_weight, 4, 1e-12);

    r = &u->tasks[0].flow.steps[0].u.req;
    cr_assert_eq(r->nquery, 2);
    cr_assert_str_eq(r->query[1].name, "q");
    expect_render(sc, r->query[1].value, NULL, "a b");
    /* Own headers first, then defaults not overridden (Accept is, ignoring case). */
    cr_assert_eq(r->nheaders, 2);
    cr_assert_null(header(r, "x-missing"));
    cr_assert_eq(header(r, "ACCEPT"), &r->headers[0]);
    cr_assert_str_eq(r->headers[0].name, "accept");
    expect_render(sc, r->headers[0].value, NULL, "text/html");
    cr_assert_str_eq(r->headers[1].name, "X-Trace");
    char *h = render_with(sc, r->headers[1].value, TPL_HEADER, NULL);
    cr_assert_str_eq(h, "t-12");
    free(h);
    cr_assert_eq(r->expect.nstatus, 1);
    cr_assert_eq(r->expect.status[0], 200);
    cr_assert_eq(r->expect.ncontains, 2);
    cr_assert_eq(r->expect.nnot_contains, 1);
    cr_assert_eq(r->ncaptures, 6);
    const sc_capture *c = r->captures;
    cr_assert_eq(c[0].src, CAP_REGEX);
    cr_assert_eq(c[0].group, 1);
    cr_assert_eq(c[0].pick, PICK_ALL);
    char *link = regex_take(&c[0], "<a href=\"/next?p=2\">");
    cr_assert_str_eq(link, "/next?p=2");
    free(link);
    cr_assert_eq(c[1].group, 0, "no group in the pattern: the whole match");
    cr_assert_eq(c[1].pick, PICK_RANDOM);
    char *whole = regex_take(&c[1], "x id=42 y");
    cr_assert_str_eq(whole, "id=42");
    free(whole);
    cr_assert_eq(c[2].src, CAP_COOKIE);
    cr_assert_str_eq(c[2].arg, "sessionid");
    cr_assert_eq(c[2].optional, 1);
    cr_assert_null(c[2].compiled);
    cr_assert_eq(c[3].src, CAP_HEADER);
    cr_assert_str_eq(c[3].arg, "Location");
    cr_assert_str_eq(tpl_source(c[3].dflt), "/");
    cr_assert_eq(c[4].src, CAP_JSON);
    cr_assert_eq(c[4].pick, PICK_ALL);
    cr_assert_str_eq(mp_jsonpath_source(c[4].compiled), "$.items[*].id");
    json_t *body = json_loads("{\"items\": [{\"id\": 1}, {\"id\": 2}, {}]}", 0, NULL);
    int n        = 0;
    cr_assert_eq(mp_jsonpath_eval(c[4].compiled, body, count_matches, &n), 2);
    json_decref(body);
    cr_assert_eq(c[5].pick, PICK_FIRST);
    cr_assert_str_eq(var_name(sc, c[5].var), "first_id");
    cr_assert_eq(r->npush, 2);
    cr_assert_eq(r->push[1].pool, 1);

    const sc_loop *lp = &u->tasks[0].flow.steps[1].u.loop;
    cr_assert_eq(lp->kind, LOOP_VAR);
    cr_assert_str_eq(var_name(sc, lp->var), "links");
    cr_assert_str_eq(var_name(sc, lp->as), "link");

    const sc_flow *f = &u->tasks[1].flow;
    cr_assert_null(u->tasks[1].name);
    cr_assert_float_eq(u->tasks[1].weight, 1, 1e-12);
    cr_assert_eq(f->n, 4);
    r = &f->steps[0].u.req;
    cr_assert_str_eq(r->method, "PUT");
    const sc_json *j = r->json;
    cr_assert_eq(j->n, 10);
    static const struct {
        const char *key;
        enum sc_json_kind kind;
        const char *text;
    } want[] = {{"n", SCJ_NUMBER, "3.50"},   {"neg", SCJ_NUMBER, "-1"}, {"big", SCJ_NUMBER, "1e3"},
                {"hex", SCJ_STRING, "0x1F"}, {"t", SCJ_BOOL, NULL},     {"f", SCJ_BOOL, NULL},
                {"nil", SCJ_NULL, NULL},     {"s", SCJ_STRING, "3"},    {"list", SCJ_ARRAY, NULL},
                {"obj", SCJ_OBJECT, NULL}};
    for (size_t i = 0; i < 10; i++) {
        cr_assert_str_eq(j->keys[i], want[i].key);
        cr_assert_eq(j->items[i].kind, want[i].kind, "%s", want[i].key);
        if (want[i].kind == SCJ_NUMBER) cr_assert_str_eq(j->items[i].number, want[i].text);
        if (want[i].kind == SCJ_STRING)
            cr_assert_str_eq(tpl_source(j->items[i].string), want[i].text);
    }
    cr_assert_eq(j->items[4].boolean, 1);
    cr_assert_eq(j->items[5].boolean, 0);
    cr_assert_eq(j->items[8].n, 2);
    cr_assert_eq(j->items[8].items[0].kind, SCJ_NUMBER);
    cr_assert_eq(j->items[8].items[1].kind, SCJ_STRING);
    cr_assert_null(j->items[8].keys);
    cr_assert_eq(j->items[9].items[0].kind, SCJ_NULL);
    r = &f->steps[1].u.req;
    cr_assert_str_eq(r->method, "PATCH");
    cr_assert_eq(r->body_kind, BODY_RAW);
    expect_render(sc, r->body, NULL, "raw 1");
    cr_assert_str_eq(f->steps[2].u.req.method, "HEAD");
    cr_assert_eq(f->steps[2].u.req.follow_redirects, 0);
    cr_assert_float_eq(f->steps[2].u.req.timeout, 2.5, 1e-12);
    cr_assert_str_eq(f->steps[3].u.req.method, "OPTIONS");
    cr_assert_eq(f->steps[3].u.req.follow_redirects, 1);
    cr_assert_float_eq(f->steps[3].u.req.timeout, 1, 1e-12);

    u = &sc->users[1];
    cr_assert_eq(u->fixed_count, 3);
    cr_assert_eq(u->wait.kind, WAIT_THROUGHPUT);
    cr_assert_float_eq(u->wait.a, 4, 1e-12);
    f = &u->tasks[0].flow;
    cr_assert_eq(f->n, 3);
    cr_assert_eq(f->steps[0].kind, STEP_PICK);
    cr_assert_eq(f->steps[1].kind, STEP_REQUEST);
    cr_assert_eq(f->steps[2].kind, STEP_PUSH);
    cr_assert_eq(f->steps[2].u.push.pool, 1);

    u = &sc->users[2];
    cr_assert_eq(u->wait.kind, WAIT_BETWEEN);
    cr_assert_float_eq(u->wait.a, 0.5, 1e-12);
    cr_assert_float_eq(u->wait.b, 2, 1e-12);
    lp = &u->tasks[0].flow.steps[0].u.loop;
    cr_assert_eq(lp->kind, LOOP_COUNT);
    cr_assert(!tpl_is_constant(lp->count));

    lp = &sc->teardown.steps[0].u.loop;
    cr_assert_eq(lp->kind, LOOP_LIST);
    cr_assert_eq(lp->nitems, 2);
    cr_assert_str_eq(tpl_source(lp->items[1]), "{{ base }}");

    cr_assert_eq(sc->nstages, 2);
    cr_assert_float_eq(sc->stages[0].duration, 30, 1e-12);
    cr_assert_eq(sc->stages[0].users, 100);
    cr_assert_float_eq(sc->stages[0].spawn_rate, 10, 1e-12);
    cr_assert_float_eq(sc->stages[1].duration, 60, 1e-12);
    cr_assert_eq(sc->stages[1].users, 0);
    scenario_free(sc);
}

MP_TEST(scenario, counts_and_weights_can_come_from_the_environment)
{
    static const char yaml[] = "variables:\n"
                               "  editors: \"{{ env.MP_TEST_EDITORS | default(20) }}\"\n"
                               "  share: \"{{ env.MP_TEST_SHARE | default('2.5') }}\"\n"
                               "  label: \"e{{ editors }}-{{ random.int(1, 9) }}\"\n"
                               "setup:\n"
                               "  - loop: {count: \"{{ editors }}\", as: i}\n"
                               "    steps: [get: '/{{ i }}']\n"
                               "users:\n"
                               "  - name: Editor\n"
                               "    fixed_count: \"{{ editors }}\"\n"
                               "    tasks: [[get: /]]\n"
                               "  - name: Reader\n"
                               "    weight: \"{{ share }}\"\n"
                               "    tasks: [[get: /]]\n"
                               "  - name: Fixed\n"
                               "    fixed_count: \"{{ env.MP_TEST_FIXED }}\"\n"
                               "    tasks: [[get: '/{{ label }}']]\n";
    unsetenv("MP_TEST_EDITORS");
    unsetenv("MP_TEST_SHARE");
    setenv("MP_TEST_FIXED", "0", 1);
    scenario *sc = parse_ok(yaml);
    cr_assert_eq(sc->users[0].fixed_count, 20, "the default");
    cr_assert_float_eq(sc->users[0].weight, 0, 1e-12);
    cr_assert_float_eq(sc->users[1].weight, 2.5, 1e-12);
    cr_assert_eq(sc->users[1].fixed_count, -1);
    cr_assert_eq(sc->users[2].fixed_count, 0);
    scenario_free(sc);

    setenv("MP_TEST_EDITORS", "5", 1);
    setenv("MP_TEST_SHARE", "1e-3", 1);
    setenv("MP_TEST_FIXED", "3", 1);
    sc = parse_ok(yaml);
    cr_assert_eq(sc->users[0].fixed_count, 5, "the environment wins");
    cr_assert_float_eq(sc->users[1].weight, 0.001, 1e-15);
    cr_assert_eq(sc->users[2].fixed_count, 3);
    /* The same variable still counts the setup loop, so the number is written once. */
    expect_render(sc, sc->setup.steps[0].u.loop.count, (const char *[]){"editors=5", NULL}, "5");
    scenario_free(sc);
    unsetenv("MP_TEST_EDITORS");
    unsetenv("MP_TEST_SHARE");
    unsetenv("MP_TEST_FIXED");
}

MP_TEST(scenario, form_and_query_lists_repeat_the_field)
{
    scenario *sc        = parse_ok("users:\n"
                                          "  - name: A\n"
                                          "    tasks:\n"
                                          "      - steps:\n"
                                          "          - get: /admin/\n"
                                          "            capture: [{var: ids, regex: 'id=(\\d+)', pick: all}]\n"
                                          "          - post: /admin/\n"
                                          "            query: {o: [1, '-2'], q: x}\n"
                                          "            form:\n"
                                          "              action: delete_selected\n"
                                          "              _selected_action: \"{{ ids }}\"\n"
                                          "              tags: [\"{{ random.choice(ids) }}\", '7']\n"
                                          "              none: []\n"
                                          "              post: 'yes'\n");
    const sc_request *r = &sc->users[0].tasks[0].flow.steps[1].u.req;
    cr_assert_eq(r->nquery, 3);
    const char *qnames[] = {"o", "o", "q"}, *qvals[] = {"1", "-2", "x"};
    for (size_t i = 0; i < 3; i++) {
        cr_expect_str_eq(r->query[i].name, qnames[i]);
        expect_render(sc, r->query[i].value, NULL, qvals[i]);
    }
    /* An empty list is no field at all. */
    cr_assert_eq(r->nform, 5);
    const char *fnames[] = {"action", "_selected_action", "tags", "tags", "post"};
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(r->form[i].name, fnames[i]);
    cr_assert_str_eq(tpl_source(r->form[1].value), "{{ ids }}");
    cr_assert_eq(tpl_lone_var(r->form[1].value), mp_symtab_find_var(&sc->syms, "ids"));
    cr_assert_str_eq(tpl_source(r->form[2].value), "{{ random.choice(ids) }}");
    expect_render(sc, r->form[3].value, NULL, "7");
    scenario_free(sc);
}

MP_TEST(scenario, load_reads_files)
{
    char path[] = "/tmp/mp_scenario_XXXXXX";
    int fd      = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *yaml = "users:\n  - {name: A, tasks: [[get: '/x{{ y }}']]}\n";
    cr_assert_eq(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    mp_err err;
    cr_assert_null(scenario_load(path, &err));
    char want[256];
    snprintf(want, sizeof want,
             "%s:2:35: variable 'y' is never set (expected it set by variables, set, a capture, "
             "pick or a loop's as)",
             path);
    cr_assert_str_eq(err.msg, want);
    unlink(path);
    cr_assert_null(scenario_load(path, &err));
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    cr_assert_str_eq(err.msg, want);
}

MP_TEST(scenario, columns_survive_a_byte_order_mark_and_crlf)
{
    static const struct {
        const char *yaml, *msg;
    } cases[] = {
        {"\xef\xbb\xbfusers:\n  - name: A\n    tasks: [[get: \"/\xc3\xa9{{ x( }}\"]]\n",
         "s.yaml:3:26: 'x' is not a function (expected random.int(A, B), random.string(N) or "
         "random.choice(v))"},
        {"users:\r\n  - name: A\r\n    tasks: [[get: \"/{{ x( }}\"]]\r\n",
         "s.yaml:3:25: 'x' is not a function (expected random.int(A, B), random.string(N) or "
         "random.choice(v))"},
    };
    for (size_t i = 0; i < 2; i++) {
        mp_err err;
        cr_assert_null(scenario_parse(cases[i].yaml, strlen(cases[i].yaml), "s.yaml", &err));
        cr_expect_str_eq(err.msg, cases[i].msg);
    }
}

MP_TEST(scenario, aliases_are_followed_but_bounded)
{
    /* An anchor reused is fine (each use gets its own copy)... */
    scenario *sc = parse_ok("defaults: {headers: &h {X-A: a}}\n"
                            "users:\n  - name: A\n    tasks:\n      - - get: /\n"
                            "          headers: *h\n");
    cr_assert_eq(sc->users[0].tasks[0].flow.steps[0].u.req.nheaders, 1);
    scenario_free(sc);
    /* ...but a billion laughs stays cheap: the walk stops at its node budget. */
    sb y = {0};
    sb_adds(&y, "users:\n  - name: A\n    tasks: [[{post: /, json: [\n"
                "    &a0 [x, x, x, x, x, x, x, x, x, x],\n");
    for (int i = 1; i < 10; i++)
        sb_addf(&y, "    &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d],\n", i,
                i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    sb_adds(&y, "    ]}]]\n");
    mp_err err;
    cr_assert_null(scenario_parse(sb_str(&y), y.len, "s.yaml", &err));
    cr_assert(strstr(err.msg, ": the document is too large once aliases are expanded (expected "
                              "at most 200000 nodes)"),
              "%s", err.msg);
    sb_free(&y);
}
