import {
  isStackReference,
  isApiLabel,
  isConferenceRef,
  isE164,
  isParticipantRef,
  isSid,
  isTwilioLabel,
  type SidPrefix,
} from '../../lambdas/shared/identifiers';

const HEX = '0123456789abcdefABCDEF0123456789';

describe('identifiers', () => {
  describe.each(['CA', 'CF', 'AP', 'AC', 'SK', 'PN'] as SidPrefix[])('a %s SID', (prefix) => {
    it.each([
      [`${prefix}${HEX}`, true],
      [`${prefix}${HEX.slice(1)}`, false],
      [`${prefix}${HEX}0`, false],
      [`${prefix}${'g'.repeat(32)}`, false],
      [`${prefix.toLowerCase()}${HEX}`, false],
      [` ${prefix}${HEX}`, false],
      [`${prefix}${HEX}\n`, false],
    ])('when the value is %j, it is accepted: %s', (value, accepted) => {
      expect(isSid(prefix, value)).toBe(accepted);
    });
  });

  it('when a SID has another prefix, it is refused', () => {
    expect(isSid('CA', `CF${HEX}`)).toBe(false);
    expect(isSid('CF', undefined)).toBe(false);
  });

  it.each([
    ['+15551234567', true],
    ['+442071838750', true],
    ['+1', false],
    ['+0123456789', false],
    ['+1234567890123456', false],
    ['15551234567', false],
    ['+1 555 123 4567', false],
    ['client:alice', false],
  ])('when a number is %j, E.164 accepts it: %s', (value, accepted) => {
    expect(isE164(value)).toBe(accepted);
  });

  describe('labels', () => {
    it.each([
      ['ai-agent', true, true],
      ['AI agent', true, false],
      ['Zoë', true, false],
      ['a/b', false, false],
      ['x'.repeat(128), true, true],
      ['x'.repeat(129), false, false],
      ['', false, false],
      [`CA${HEX}`, true, false],
      ['human:2', true, true],
    ])('when the label is %j, Twilio takes it: %s; the participants API: %s', (value, twilio, api) => {
      expect(isTwilioLabel(value)).toBe(twilio);
      expect(isApiLabel(value)).toBe(api);
    });
  });

  describe('REST path segments', () => {
    it.each([
      ['conf-CA1', true, true],
      [`CF${HEX}`, true, true],
      ['.', false, false],
      ['..', false, false],
      ['a..b', true, true],
      ['a/b', false, false],
      ['human:2', false, true],
      ['a%2Fb', false, false],
      ['x'.repeat(129), false, false],
    ])('when the segment is %j, a conference takes it: %s; a participant: %s', (value, conference, participant) => {
      expect(isConferenceRef(value)).toBe(conference);
      expect(isParticipantRef(value)).toBe(participant);
    });
  });

  describe('stack names', () => {
    it.each([
      ['dev', true],
      ['my-org/dev', true],
      ['my-org/voice-ai-conference/dev', true],
      ['d'.repeat(30), true],
      ['d'.repeat(31), false],
      ['my dev', false],
      ['a/b/c/dev', false],
      ['my-org/', false],
      [`${'o'.repeat(101)}/dev`, false],
    ])('when the stack is %j, the Pulumi CLI form is accepted: %s', (value, accepted) => {
      expect(isStackReference(value)).toBe(accepted);
    });
  });
});
