/**
 * Small talk and re-asks, table-driven: what is small talk (and what kind), what is a question
 * even though it starts with a greeting, what a greeting is stripped to, and which follow-ups
 * count as asking the same thing again.
 */
import { describe, expect, it } from 'vitest';
import { classifySmallTalk, stripGreeting, type SmallTalkKind } from '../../src/conversation/smalltalk.js';
import { isReask } from '../../src/conversation/feedback.js';
import { shippedKnowledge } from '../support/app.js';

const SMALL_TALK: [string, SmallTalkKind][] = [
  ['chào bạn', 'greeting'],
  ['Chào bạn', 'greeting'],
  ['CHÀO BẠN!!!', 'greeting'],
  ['xin chào', 'greeting'],
  ['Xin chào 👋', 'greeting'],
  ['xin chao ban', 'greeting'],
  ['chào ad', 'greeting'],
  ['chao ad', 'greeting'],
  ['Chào Loa!', 'greeting'],
  ['Em chào anh chị ạ', 'greeting'],
  ['chào buổi sáng', 'greeting'],
  ['hi', 'greeting'],
  ['hello', 'greeting'],
  ['Hellooo', 'greeting'],
  ['helo bot', 'greeting'],
  ['alo', 'greeting'],
  ['alo alo', 'greeting'],
  ['chaof banj', 'greeting'], // Telex typed without the input method
  ['bạn khỏe không', 'greeting'],
  ['cảm ơn nhé', 'thanks'],
  ['cám ơn', 'thanks'],
  ['cam on', 'thanks'],
  ['camon', 'thanks'],
  ['cảm ơnnn', 'thanks'],
  ['camr own nhieu', 'thanks'],
  ['thanks', 'thanks'],
  ['thnaks', 'thanks'],
  ['thank you', 'thanks'],
  ['tks ad', 'thanks'],
  ['Cảm ơn bạn nhiều lắm!', 'thanks'],
  ['cảm ơn bạn đã trả lời', 'thanks'],
  ['cam on ban nha', 'thanks'],
  ['ok cảm ơn', 'thanks'],
  ['được rồi cảm ơn', 'thanks'],
  // Typed replies to the bot's own "Câu trả lời này có hữu ích không?" (seen on a trial run:
  // "cảm ơn bot nhé, rất hữu ích" went to the staff queue as an unanswered question).
  ['cảm ơn bot nhé, rất hữu ích', 'thanks'],
  ['cảm ơn, thông tin rất hữu ích', 'thanks'],
  ['cảm ơn bạn, giúp ích nhiều lắm', 'thanks'],
  ['thông tin hay quá cảm ơn', 'thanks'],
  ['cảm ơn đã giải đáp thắc mắc', 'thanks'],
  ['thank you so much', 'thanks'],
  ['hữu ích quá', 'ack'],
  ['bổ ích quá', 'ack'],
  ['chào buổi trưa', 'greeting'],
  ['cảm ơn nhé, chúc một ngày tốt lành', 'bye'],
  ['ok', 'ack'],
  ['OK', 'ack'],
  ['oke', 'ack'],
  ['okkk', 'ack'],
  ['oke nha', 'ack'],
  ['vâng', 'ack'],
  ['dạ', 'ack'],
  ['Dạ vâng ạ', 'ack'],
  ['ừ', 'ack'],
  ['hihi', 'ack'],
  ['ok bạn', 'ack'],
  ['bạn là ai', 'who'],
  ['ban la ai', 'who'],
  ['Bạn là ai vậy?', 'who'],
  ['bạn tên gì', 'who'],
  ['bạn làm được gì?', 'who'],
  ['Chào bạn, bạn là ai?', 'who'],
  ['bot ơi', 'call'],
  ['ad ơi', 'call'],
  ['Loa ơi', 'call'],
  ['có ai không?', 'call'],
  ['tạm biệt', 'bye'],
  ['bye', 'bye'],
  ['hẹn gặp lại', 'bye'],
  ['cho mình hỏi', 'ask'],
  ['xin chào, cho mình hỏi chút', 'ask'],
  ['👍', 'emoji'],
  ['🙏🙏', 'emoji'],
  // Asking for the menu or help, or trying the bot out: the search answered these with an entry.
  ['menu', 'ask'],
  ['xem menu', 'ask'],
  ['hướng dẫn sử dụng', 'ask'],
  ['Chào bạn, menu', 'ask'],
  ['Menu', 'ask'],
  ['hướng dẫn', 'ask'],
  ['huong dan', 'ask'],
  ['trợ giúp', 'ask'],
  ['help', 'ask'],
  ['bắt đầu', 'ask'],
  ['xem chủ đề', 'ask'],
  ['bot hỏi được gì', 'ask'],
  ['hả', 'ask'],
  ['gì cơ', 'ask'],
  // Going back: it went to the staff queue as a question.
  ['quay lại', 'ask'],
  ['quay lai', 'ask'],
  ['trở lại menu chính', 'ask'],
  ['Quay lại chủ đề nhé', 'ask'],
  ['về menu', 'ask'],
  ['back', 'ask'],
  ['test', 'call'],
  ['test thử', 'call'],
  // Annoyance at the bot: an apology and how to ask, never a question for staff.
  ['bot ngu thế', 'sorry'],
  ['ngu quá', 'sorry'],
  ['chả hiểu gì cả', 'sorry'],
  ['vo dung', 'sorry'],
  ['trả lời linh tinh', 'sorry'],
  ['Chào bạn, bot vô dụng thế', 'sorry'],
  // Asking for a person: the office's contact.
  ['cho tôi gặp cán bộ', 'human'],
  ['nói chuyện với người thật', 'human'],
  ['Hotline', 'human'],
  ['Liên hệ', 'human'],
  ['bạn là người thật à', 'who'],
  // "Never mind" and "that's all" with nothing under way: they went to the staff queue.
  ['thôi', 'ack'],
  ['Thôi', 'ack'],
  ['thoi', 'ack'],
  ['thôi được rồi', 'ack'],
  ['thôi không cần', 'ack'],
  ['không cần đâu ạ', 'ack'],
  ['bỏ qua', 'ack'],
  ['hết rồi', 'bye'],
  ['het roi', 'bye'],
  ['hết rồi ạ', 'bye'],
  ['vậy thôi', 'bye'],
  ['không hỏi nữa', 'bye'],
  ['thôi, cảm ơn', 'thanks'],
  ['hết rồi, cảm ơn bạn', 'bye'],
  ['sai rồi', 'sorry'],
  ['sai bét', 'sorry'],
  ['không đúng', 'sorry'],
  ['trả lời sai rồi bạn ơi', 'sorry'],
];

const NOT_SMALL_TALK = [
  'Chào bạn, cho mình hỏi trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không?',
  'chao ban cho minh hoi tre em co duoc cap the bhyt khong',
  'Loa là gì?',
  'chào cờ là gì',
  'chào mừng ngày quốc khánh có được nghỉ không',
  'thủ tục khai sinh',
  'bhyt',
  'ok vậy người lớn thì sao',
  'cảm ơn, vậy làm thẻ bhyt ở đâu',
  'bạn là ai mà biết luật',
  'Chủ tịch UBND xã là ai',
  'dạ dày',
  'nhà',
  'vay vốn',
  'cảm ơn gia đình liệt sĩ có chế độ gì',
  'tạm biệt năm cũ',
  'tôi muốn hỏi về quyền trẻ em',
  'hiểu rồi nhưng khai sinh ở đâu',
  'ai được cấp thẻ bhyt miễn phí',
  'bạn ơi cho mình hỏi đăng ký thường trú',
  'giấy xác nhận khuyết tật có ích gì',
  'thông tin này có hữu ích không',
  'hồ sơ có ích gì không',
  'hướng dẫn làm khai sinh',
  'hướng dẫn đăng ký thường trú trực tuyến',
  'menu quán ăn',
  'chủ đề năm nay là gì',
  'test nhanh covid ở đâu',
  'giúp việc gia đình có được đóng bảo hiểm không',
  'bắt đầu từ năm nào',
  'không hiểu gì về thủ tục khai sinh',
  'ngu dân có bị xử phạt không',
  'trẻ em chán học bỏ học thì làm sao',
  'số điện thoại đường dây nóng bảo vệ trẻ em',
  'nhân viên văn phòng có được đóng bảo hiểm không',
  'cán bộ xã làm việc mấy giờ',
  'thôi việc có được trợ cấp không',
  'không cần giấy tờ gì à',
  'hết hạn thẻ bhyt',
  'hết rồi thì làm sao',
  'bỏ qua bước nào được',
  'sai hẹn có bị phạt không',
  'khai sai năm sinh',
  'không đúng hẹn trả hồ sơ',
  'quay lại nơi cư trú cũ có phải đăng ký lại không',
  'trở về địa phương làm thủ tục gì',
  'trang chủ cổng dịch vụ công',
  '',
  '   ',
];

describe('classifySmallTalk', () => {
  it.each(SMALL_TALK)('%j is small talk (%s)', (text, kind) => {
    expect(classifySmallTalk(text)).toBe(kind);
  });

  it.each(NOT_SMALL_TALK.map((t) => [t]))('%j is not small talk', (text) => {
    expect(classifySmallTalk(text)).toBeNull();
  });

  it('a long message is never small talk, even made of small-talk words', () => {
    expect(classifySmallTalk('cảm ơn '.repeat(20))).toBeNull();
  });
});

const STRIPPED: [string, string][] = [
  ['Chào bạn, cho mình hỏi trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không?', 'trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không?'],
  ['chao ban cho minh hoi tre em co duoc cap the bhyt khong', 'tre em co duoc cap the bhyt khong'],
  ['Dạ em chào ạ, em đọc trên mạng thấy có người nói', 'em đọc trên mạng thấy có người nói'],
  ['Em chào anh chị ạ, con em năm nay vào lớp một', 'con em năm nay vào lớp một'],
  ['Xin chào, tôi mới kết bạn với Loa trên Zalo', 'tôi mới kết bạn với Loa trên Zalo'],
  ['Chào Loa, nhà tôi ở phường mới', 'nhà tôi ở phường mới'],
  ['Loa ơi, Loa là gì?', 'Loa là gì?'],
  ['alo tôi muốn hỏi về thủ tục khai sinh', 'về thủ tục khai sinh'],
  ['bạn ơi cho mình hỏi đăng ký thường trú', 'đăng ký thường trú'],
  ['Cảm ơn bạn. Còn người lớn thì sao?', 'Còn người lớn thì sao?'],
  ['Chào bạn trẻ em có được cấp thẻ không', 'trẻ em có được cấp thẻ không'],
  ['Chào, chủ hộ là ai', 'chủ hộ là ai'],
  // Unchanged: no greeting, or a greeting word that starts the question itself.
  ['chào cờ là gì', 'chào cờ là gì'],
  ['chào mừng ngày quốc khánh có được nghỉ không', 'chào mừng ngày quốc khánh có được nghỉ không'],
  ['dạ dày bị đau có được bảo hiểm không', 'dạ dày bị đau có được bảo hiểm không'],
  ['Chủ hộ là ai', 'Chủ hộ là ai'],
  ['ok vậy người lớn thì sao', 'ok vậy người lớn thì sao'],
  ['chao ban nha toi o xa', 'nha toi o xa'], // "nha" without marks may be "nhà": kept
  ['thủ tục khai sinh', 'thủ tục khai sinh'],
  ['hướng dẫn làm khai sinh', 'hướng dẫn làm khai sinh'],
  ['giúp việc có được đóng bảo hiểm không', 'giúp việc có được đóng bảo hiểm không'],
  ['bắt đầu từ năm nào', 'bắt đầu từ năm nào'],
];

describe('stripGreeting', () => {
  it.each(STRIPPED)('%j -> %j', (text, rest) => {
    expect(stripGreeting(text)).toBe(rest);
  });
});

describe('isReask', () => {
  const synonyms = shippedKnowledge().state.synonyms;
  const cases: [string, string, boolean][] = [
    ['bhyt cho trẻ em', 'trẻ em có được bảo hiểm y tế không', true],
    ['Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?', 'con nhỏ nhà tôi có được bảo hiểm y tế không', true],
    ['đăng ký khai sinh cho con ở đâu', 'làm giấy khai sinh cho con thì đến chỗ nào', true],
    ['Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?', 'còn người lớn thì sao?', false],
    ['Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?', 'thủ tục đăng ký thường trú', false],
    ['đăng ký khai sinh cho con ở đâu', 'Đăng ký khai sinh cho con ở đâu?', false], // the same text again
    ['bhyt', 'bảo hiểm y tế', false], // one shared topic is not enough
  ];
  it.each(cases)('%j then %j: %s', (a, b, want) => {
    expect(isReask(a, b, synonyms)).toBe(want);
  });
  // Terms that share their first words, of several lengths, anywhere in the question (the
  // look-up extends a run of words only while it still starts a term).
  const shared: string[][] = [
    ['bảo hiểm y tế', 'bhyt'],
    ['bảo hiểm xã hội tự nguyện', 'bhxh tự nguyện'],
    ['giấy khai sinh', 'khai sinh'],
  ];
  it.each([
    ['học phí bhyt', 'bảo hiểm y tế học phí', true], // at the start
    ['học phí bhyt', 'nộp học phí bảo hiểm y tế', true], // at the end
    ['học phí bhyt', 'bảo hiểm học phí', false], // the first words of two terms only
    ['học phí bhyt', 'bảo hiểm y học phí', false],
    ['học phí bhyt', 'bảo hiểm xã hội tự nguyện học phí', false], // the other term
  ] as [string, string, boolean][])('terms sharing first words: %j then %j: %s', (a, b, want) => {
    expect(isReask(a, b, shared)).toBe(want);
  });
});
