#include "scenario/lorem.h"

#include <string.h>

/* Everyday Latin nouns, verbs and adjectives, chosen for this project: short enough to read in a
 * page body, varied enough that posts do not look identical in a database. */
const char *const mp_lorem_words[] = {
    "aqua",    "terra",   "ventus",  "ignis",     "lux",      "umbra",    "via",       "porta",
    "domus",   "mare",    "caelum",  "silva",     "flumen",   "mons",     "lapis",     "arbor",
    "folium",  "radix",   "semen",   "hortus",    "ager",     "campus",   "urbs",      "villa",
    "murus",   "turris",  "pons",    "navis",     "portus",   "litus",    "unda",      "nubes",
    "pluvia",  "nix",     "sol",     "luna",      "stella",   "hora",     "dies",      "nox",
    "annus",   "tempus",  "ver",     "aestas",    "autumnus", "hiems",    "liber",     "littera",
    "verbum",  "vox",     "sonus",   "carmen",    "fabula",   "historia", "memoria",   "animus",
    "mens",    "cor",     "manus",   "oculus",    "caput",    "pes",      "iter",      "gradus",
    "numerus", "ordo",    "forma",   "color",     "lumen",    "ferrum",   "aurum",     "argentum",
    "panis",   "vinum",   "oleum",   "mel",       "sal",      "lac",      "ovum",      "piscis",
    "avis",    "equus",   "canis",   "lupus",     "ursus",    "cervus",   "apis",      "rosa",
    "lilium",  "herba",   "granum",  "frumentum", "novus",    "vetus",    "magnus",    "parvus",
    "longus",  "brevis",  "altus",   "latus",     "clarus",   "obscurus", "celer",     "lentus",
    "fortis",  "levis",   "gravis",  "dulcis",    "acer",     "tacitus",  "laetus",    "placidus",
    "ambulat", "currit",  "scribit", "legit",     "cantat",   "videt",    "audit",     "manet",
    "venit",   "transit", "crescit", "lucet",     "fluit",    "quiescit", "aedificat", "servat",
    "et",      "sed",     "nam",     "sub",       "super",    "inter",    "post",      "ante",
};
const size_t mp_lorem_nwords = sizeof mp_lorem_words / sizeof mp_lorem_words[0];

size_t mp_lorem_word(mp_rng *r, char *buf)
{
    const char *w = mp_lorem_words[mp_rng_below(r, mp_lorem_nwords)];
    size_t n      = strlen(w);
    memcpy(buf, w, n);
    return n;
}

size_t mp_lorem_sentence(mp_rng *r, char *buf)
{
    size_t words = MP_LOREM_SENTENCE_WORDS_MIN +
                   mp_rng_below(r, MP_LOREM_SENTENCE_WORDS_MAX - MP_LOREM_SENTENCE_WORDS_MIN + 1);
    /* Longer sentences get one comma, somewhere in the middle, so they read like prose. */
    size_t comma = words >= 8 ? 2 + mp_rng_below(r, words - 4) : 0;
    size_t n     = 0;
    for (size_t i = 0; i < words; i++) {
        if (i) buf[n++] = ' ';
        size_t w = mp_lorem_word(r, buf + n);
        if (i == 0) buf[n] = (char)(buf[n] - 'a' + 'A');
        n += w;
        if (comma && i + 1 == comma) buf[n++] = ',';
    }
    buf[n++] = '.';
    return n;
}

size_t mp_lorem_paragraph(mp_rng *r, char *buf)
{
    size_t sentences =
        MP_LOREM_PARAGRAPH_SENTENCES_MIN +
        mp_rng_below(r, MP_LOREM_PARAGRAPH_SENTENCES_MAX - MP_LOREM_PARAGRAPH_SENTENCES_MIN + 1);
    size_t n = 0;
    for (size_t i = 0; i < sentences; i++) {
        if (i) buf[n++] = ' ';
        n += mp_lorem_sentence(r, buf + n);
    }
    return n;
}
