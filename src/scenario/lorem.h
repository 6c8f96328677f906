/* Placeholder text for lorem.word, lorem.sentence and lorem.paragraph: Latin-looking words drawn
 * from the user's random stream, written into a caller's buffer so rendering never allocates. */
#ifndef MP_SCENARIO_LOREM_H
#define MP_SCENARIO_LOREM_H

#include <stddef.h>

#include "util/rng.h"

#define MP_LOREM_WORD_MAX 12 /* longest word in the list */
#define MP_LOREM_SENTENCE_WORDS_MIN 5
#define MP_LOREM_SENTENCE_WORDS_MAX 14
#define MP_LOREM_PARAGRAPH_SENTENCES_MIN 3
#define MP_LOREM_PARAGRAPH_SENTENCES_MAX 6
/* A word and its separator per word, plus the comma and the full stop. */
#define MP_LOREM_SENTENCE_MAX (MP_LOREM_SENTENCE_WORDS_MAX * (MP_LOREM_WORD_MAX + 1) + 2)
#define MP_LOREM_PARAGRAPH_MAX (MP_LOREM_PARAGRAPH_SENTENCES_MAX * (MP_LOREM_SENTENCE_MAX + 1))

/* The word list (for tests: every word is lower-case ASCII of at most MP_LOREM_WORD_MAX bytes). */
extern const char *const mp_lorem_words[];
extern const size_t mp_lorem_nwords;

/* Each writes into buf (at least the matching _MAX bytes) and returns the length; no NUL. */
size_t mp_lorem_word(mp_rng *r, char *buf);
/* 5 to 14 words, the first capitalised, a comma after one word of the longer ones, and a full stop.
 */
size_t mp_lorem_sentence(mp_rng *r, char *buf);
/* 3 to 6 sentences separated by one space. */
size_t mp_lorem_paragraph(mp_rng *r, char *buf);

#endif
