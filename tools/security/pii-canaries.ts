/** The canary values the PII log test sends, and the WhatsApp Cloud envelope it wraps them in. */

/** Every value sent, with each form it may take in the code (as sent, normalized, national…). */
export const PII = {
  // connector-api → unifier (valid): a national TR number and a mixed-case email.
  apiPhone: ['0532 555 12 34', '05325551234', '+905325551234', '905325551234', '5325551234'],
  apiEmail: ['Ayse.Kanarya@Example.com', 'ayse.kanarya@example.com'],
  apiText: ['Kartımdan iki kez çekildi, iadesini istiyorum (kanarya-1)'],
  apiName: ['Ayşe Kanarya'],
  apiPhone2: ['+90 533 555 77 88', '+905335557788', '905335557788', '05335557788', '0533 555 77 88', '5335557788'],
  apiText2: ['Siparişim 3 gündür kargoda bekliyor (kanarya-2)'],
  // connector-api (invalid): values that fail normalization or the schema.
  badPhone: ['0532 555 9', '05325559'],
  badEmail: ['mehmet.kanarya@@example', 'mehmet.kanarya'],
  badText: ['Bu mesaj reddedilmeli ama loglanmamalı (kanarya-3)'],
  jsonPhone: ['+905345550011', '905345550011', '05345550011', '5345550011'],
  jsonText: ['Yarım kalmış JSON gövdesi (kanarya-4)'],
  // connector-meta (WhatsApp Cloud, Instagram).
  waPhone: ['905365550022', '+905365550022', '05365550022', '0536 555 00 22', '5365550022'],
  waName: ['Zeynep Kanarya'],
  waText: ['Faturamda hata var, yardım eder misiniz (kanarya-5)'],
  waCardPhone: ['+90 537 555 00 33', '+905375550033', '905375550033', '5375550033'],
  waCardEmail: ['kart.kanarya@example.com'],
  waUnknownPhone: ['905385550044', '+905385550044', '5385550044'],
  waUnknownText: ['Bilinmeyen hesaba yazılan mesaj (kanarya-6)'],
  waBadPhone: ['90539555'],
  waBadText: ['Konumu bozuk mesaj (kanarya-7)'],
  igText: ['Bu ürün stokta var mı? ig.kanarya@example.com (kanarya-8)'],
  igEmail: ['ig.kanarya@example.com'],
  metaBadJsonText: ['İmzalı ama bozuk gövde (kanarya-9)'],
  // Raw records on kanal.inbound.v1 (a misconfigured producer): dead-lettered by the unifier.
  rawPhone: ['+905425550055', '905425550055', '5425550055'],
  rawEmail: ['r.kanarya@ex.tr'],
  rawText: ['Merhaba kanarya-10'],
  rawJsonEmail: ['json.kanarya@example.com'],
  nulText: ['NUL karakterli mesaj (kanarya-11)'],
} satisfies Record<string, string[]>;

/** A WhatsApp Cloud API webhook body for one phone number id, as Meta sends it. */
export const waBody = (phoneNumberId: string, value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '908505551234', phone_number_id: phoneNumberId },
            ...value,
          },
        },
      ],
    },
  ],
});
