/**
 * Vietnamese function words and chat filler, in folded form. They carry no topic, so they are
 * left out of the confidence estimate: "Thưa anh chị cho em hỏi … được không ạ" should weigh no
 * more than its content words.
 *
 * Folding merges words: "đang" and "đăng" (đăng ký), "để" and "đề" (đề án), "thế" and "thẻ",
 * "từ" and "tư" (tư pháp), "tớ" and "tố" (tố cáo), "nhá" and "nhà" all fold alike. Such words
 * are therefore NOT listed, even though the accented filler form is common: a missed stopword
 * costs a little ranking noise, a wrong one loses a topic word.
 */
const WORDS = `
a à ạ á ah ai anh ạh ấy bị bởi các cái cần cháu chị cho chi có của cùng dạ đã được em gì giờ hả hay
hãy hỏi khi không là làm lắm mà mấy mình muốn nào này nên nếu nhé nhỉ như nhưng những nữa ơi ông
phải rằng rất rồi sao sẽ thì thôi tôi trên trong và vâng vào vậy về vì với xin xem ở ừ bà ạ vd
ok oke okay okie hihi haha hehe huhu hic ad
`;

/**
 * Chat particles typed without their marks ("nha" for "nhé", "ne" for "nè"). Each folds like a
 * topic word ("nhà", "nẹ"), so they are stop words only in a question typed with diacritics,
 * where "nhà" would have been typed "nhà" (./analyzer.ts).
 */
export const PLAIN_PARTICLES: ReadonlySet<string> = new Set(['nha', 'nhen', 'nghen', 'hen', 'ne', 'nhe', 'ak']);

/** Folds one word the way the index does (duplicated here to keep this module dependency-free). */
function foldWord(w: string): string {
  return w
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd');
}

/** Folded stopwords. */
export const STOPWORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean).map(foldWord));

/**
 * Everyday words of administrative questions ("thủ tục", "giấy tờ", "đăng ký", "ở đâu"). They
 * are real words, but they say little about *which* service a question is about, and every
 * out-of-scope question shares them ("đăng ký xe máy", "giấy tờ làm hộ chiếu"). They keep a
 * reduced weight instead of none. Exact (accented) forms; matched on exact and folded tokens.
 */
const GENERIC_WORDS = `
thủ tục giấy tờ hồ sơ đăng ký cấp làm nộp xin cần đâu nơi bao lâu nhiêu mất tiền phí cách thế
nào sao người dân năm nay tháng ngày quy định theo luật được phải thì có không những gì việc
lần đầu mới lại hiện nay bây giờ online mạng tại gồm mấy hỏi biết muốn nên
`;

/** Generic words, exact forms. */
export const GENERIC_EXACT: ReadonlySet<string> = new Set(GENERIC_WORDS.split(/\s+/).filter(Boolean).map((w) => w.normalize('NFC')));

/**
 * Words of the courtesies that open and close a question to an office: thanks ("em cảm ơn anh chị
 * nhiều", "xin chân thành cảm ơn", "thanks ad"), greetings and address ("kính gửi ban biên tập",
 * "chào bạn"), wishes to be answered ("mong được giải đáp", "mong phản hồi", "hướng dẫn giúp em
 * với"), apologies ("xin lỗi đã làm phiền") and tags that ask to confirm what was said before
 * ("có đúng như vậy không", "có thật không", "phải không ạ"). A clause made only of these and
 * function words asks nothing of its own (./analyzer.ts). Words that are often a question's topic
 * are left out, though courtesies use them too: "hỗ trợ" (support after a flood), "nhận", "trả
 * lời", "cơ quan" ("cơ quan nào?"), "sớm". Exact forms.
 */
const COURTESY_WORDS = `
cảm cám ơn chân thành trân trọng chào kính gửi thưa ban biên tập bạn admin thanks thank you tks
mong phản hồi giải đáp giúp giùm hướng dẫn nhiều trước lỗi phiền đúng thật chắc
`;

/** Courtesy words, exact forms. */
export const COURTESY: ReadonlySet<string> = new Set(COURTESY_WORDS.split(/\s+/).filter(Boolean).map((w) => w.normalize('NFC')));

/**
 * Courtesy words as typed without diacritics. Some fold like other words ("cam" is also "cấm",
 * "thanh" "thành"), which is harmless here: a clause counts as courtesy only when all its words do.
 */
export const COURTESY_FOLDED: ReadonlySet<string> = new Set(
  ['cam', 'on', 'chan', 'thanh', 'tran', 'trong', 'chao', 'kinh', 'gui', 'admin', 'thanks', 'thank', 'you', 'tks', 'mong', 'giai', 'dap', 'nhieu', 'truoc'],
);
