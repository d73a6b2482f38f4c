import { parseXml, TwimlError } from '../../sandbox/twilio/twiml-parser';

describe('parseXml (the emulator reads TwiML as Twilio does: XML 1.0, well-formed or error 12100)', () => {
  it('when the document nests elements with attributes, entities and CDATA, it returns the tree with decoded text', () => {
    // Arrange
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><Response><Say voice="alice &amp; bob">A &lt; B &#x263A;</Say>' +
      '<Connect action="https://x.example/a?b=1&amp;c=2"><Stream url="wss://s.example"><Parameter name="k" value="v"/></Stream></Connect>' +
      '<Play><![CDATA[https://x.example/<a>.mp3]]></Play></Response>';

    // Act
    const root = parseXml(xml);

    // Assert
    expect(root.name).toBe('Response');
    expect(root.children.map((c) => c.name)).toEqual(['Say', 'Connect', 'Play']);
    expect(root.children[0]).toMatchObject({ attributes: { voice: 'alice & bob' }, text: 'A < B \u263a' });
    expect(root.children[1].attributes.action).toBe('https://x.example/a?b=1&c=2');
    expect(root.children[1].children[0].children[0]).toMatchObject({
      name: 'Parameter',
      attributes: { name: 'k', value: 'v' },
      children: [],
    });
    expect(root.children[2].text).toBe('https://x.example/<a>.mp3');
  });

  describe.each([
    ['an unclosed element', '<Response><Say>unclosed</Response>'],
    ['an end tag that does not match', '<Response><Say></Play></Response>'],
    ['two root elements', '<Response/><Response/>'],
    ['text outside the root element', 'hello<Response/>'],
    ['an unknown entity', '<Response><Say>&nbsp;</Say></Response>'],
    ['an unterminated entity', '<Response><Say>a & b</Say></Response>'],
    ['a DOCTYPE', '<!DOCTYPE Response [<!ENTITY x "y">]><Response/>'],
    ['a duplicate attribute', '<Response><Say a="1" a="2">x</Say></Response>'],
    ['an attribute without quotes', '<Response><Say a=1>x</Say></Response>'],
    ['an empty document', ''],
  ])('when the document has %s', (_situation, xml) => {
    it('throws TwimlError 12100', () => {
      // Act
      let thrown: unknown;
      try {
        parseXml(xml);
      } catch (error) {
        thrown = error;
      }

      // Assert
      expect(thrown).toBeInstanceOf(TwimlError);
      expect((thrown as TwimlError).code).toBe(12100);
    });
  });
});
